package org.chargeedge.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * One certificate chain and its key, offered for every key type that fits the key, whatever
 * issuers the peer names (see {@link KeyMaterial}).
 */
final class SingleKeyManager extends X509ExtendedKeyManager {

    static final String ALIAS = "chargeedge";

    private final X509Certificate[] chain;
    private final PrivateKey key;
    private final String family;

    SingleKeyManager(List<X509Certificate> chain, PrivateKey key) {
        this.chain = chain.toArray(new X509Certificate[0]);
        this.key = key;
        this.family = PemFiles.family(key.getAlgorithm());
    }

    /**
     * Whether the key fits a key type the JSSE asks for: a key algorithm ("RSA", "EC", "EdDSA",
     * "RSASSA-PSS"), or in TLS 1.2 "KEY_SIGNATURE" ("EC_EC", "EC_RSA"), of which the key counts.
     */
    private boolean fits(String keyType) {
        if (keyType == null) {
            return false;
        }
        int underscore = keyType.indexOf('_');
        String wanted = underscore > 0 ? keyType.substring(0, underscore) : keyType;
        if (wanted.equalsIgnoreCase("RSASSA-PSS")) {
            return key.getAlgorithm().equalsIgnoreCase("RSASSA-PSS");
        }
        return PemFiles.family(wanted).equals(family);
    }

    private String alias(String... keyTypes) {
        if (keyTypes != null) {
            for (String type : keyTypes) {
                if (fits(type)) {
                    return ALIAS;
                }
            }
        }
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return alias(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return alias(keyTypes);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return alias(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return alias(keyType);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return fits(keyType) ? new String[] {ALIAS} : null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return fits(keyType) ? new String[] {ALIAS} : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }
}
