package org.chargeedge.ocpp.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one Jackson mapper of the bundle, configured once; thread-safe. */
public final class Json {
    /**
     * Deepest nesting accepted in a frame. The deepest OCPP 1.6 message
     * (SetChargingProfile.req, StopTransaction.req) needs 6 levels including
     * the frame array; the rest is room for vendor extensions.
     */
    public static final int MAX_NESTING_DEPTH = 64;

    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                    .build())
            .build();

    private Json() {
    }
}
