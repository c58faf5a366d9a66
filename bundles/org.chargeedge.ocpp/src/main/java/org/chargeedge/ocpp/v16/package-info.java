/**
 * OCPP 1.6 edition 2 messages as immutable types: one request and one
 * confirmation record per action, with the shared data types and enumerations.
 * The field constraints of the specification are written on the record
 * components ({@link org.chargeedge.ocpp.v16.Spec}).
 *
 * <p>Exported without a substitutable import: the message model is
 * implemented by this bundle alone and its codec must see these very classes.
 */
@Export(substitution = Substitution.NOIMPORT)
@Version("1.0.0")
package org.chargeedge.ocpp.v16;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.bundle.Export.Substitution;
import org.osgi.annotation.versioning.Version;
