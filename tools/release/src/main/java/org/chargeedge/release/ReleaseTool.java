package org.chargeedge.release;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.chargeedge.management.internal.ReleaseDescriptor;
import org.chargeedge.management.internal.ReleaseSignature;

/**
 * Signs and publishes a release channel for ChargeEdge gateways:
 *
 * <pre>
 * java -jar chargeedge-release.jar keygen release-key.pem release-key.pub.pem
 * java -jar chargeedge-release.jar sign --key release-key.pem --channel stable --release 42 --out site/stable \
 *      bundles/org.chargeedge.mqtt-1.2.0.jar ...
 * java -jar chargeedge-release.jar verify --key release-key.pub.pem site/stable/release.jws
 * </pre>
 *
 * {@code sign} writes {@code OUT/release.jws} and copies the jars next to it
 * (the descriptor names them relative to itself), so {@code OUT} is uploaded
 * as it is to any static web host. The format is in docs/operations.md.
 */
public final class ReleaseTool {

    private ReleaseTool() {
    }

    public static void main(String[] args) {
        try {
            System.out.println(run(args));
        } catch (UsageException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        } catch (IOException | GeneralSecurityException e) {
            System.err.println("Failed: " + e.getMessage());
            System.exit(1);
        }
    }

    static String run(String[] args) throws UsageException, IOException, GeneralSecurityException {
        if (args.length == 0) {
            throw new UsageException(usage());
        }
        return switch (args[0]) {
            case "keygen" -> keygen(args);
            case "sign" -> sign(args);
            case "verify" -> verify(args);
            default -> throw new UsageException(usage());
        };
    }

    private static String keygen(String[] args) throws UsageException, IOException, GeneralSecurityException {
        if (args.length != 3) {
            throw new UsageException("keygen PRIVATE.pem PUBLIC.pem");
        }
        Path priv = Path.of(args[1]);
        if (Files.exists(priv)) {
            throw new UsageException(priv + " exists; a release key is never overwritten");
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = g.generateKeyPair();
        Files.writeString(priv, ReleaseSignature.pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        try {
            Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the operator protects the file
        }
        Files.writeString(Path.of(args[2]), ReleaseSignature.pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        return "Wrote " + priv + " (keep it offline) and " + args[2] + " (install it on the gateways)";
    }

    private static String sign(String[] args) throws UsageException, IOException {
        Path key = null;
        Path out = null;
        String channel = null;
        long release = -1;
        boolean downgrade = false;
        List<Path> jars = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--key" -> key = Path.of(value(args, ++i));
                case "--out" -> out = Path.of(value(args, ++i));
                case "--channel" -> channel = value(args, ++i);
                case "--release" -> {
                    try {
                        release = Long.parseLong(value(args, ++i));
                    } catch (NumberFormatException e) {
                        throw new UsageException("--release takes a whole number");
                    }
                }
                case "--allow-downgrade" -> downgrade = true;
                default -> jars.add(Path.of(args[i]));
            }
        }
        if (key == null || out == null || channel == null || release <= 0 || jars.isEmpty()) {
            throw new UsageException("sign --key PRIVATE.pem --channel NAME --release N [--allow-downgrade]"
                    + " --out DIR BUNDLE.jar ...");
        }
        Files.createDirectories(out);
        List<ReleaseDescriptor.Entry> entries = new ArrayList<>();
        for (Path jar : jars) {
            String name = jar.getFileName().toString();
            entries.add(ReleaseDescriptor.Entry.of(jar, name));
            Path target = out.resolve(name);
            if (!Files.exists(target) || !Files.isSameFile(jar, target)) {
                Files.copy(jar, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        ReleaseDescriptor d = new ReleaseDescriptor(ReleaseDescriptor.FORMAT, channel, release,
                Instant.now().toString(), downgrade, entries);
        // parse() checks what a gateway checks, so a descriptor it would refuse is never published
        ReleaseDescriptor.parse(d.toJson());
        String jws = ReleaseSignature.sign(d, ReleaseSignature.readPrivateKey(key));
        Files.writeString(out.resolve("release.jws"), jws + "\n", StandardCharsets.US_ASCII);
        StringBuilder report = new StringBuilder("Release " + release + " of channel '" + channel + "' in " + out
                + ":");
        entries.forEach(e -> report.append("\n  ").append(e.symbolicName()).append(' ').append(e.version())
                .append("  ").append(e.sha256()));
        return report.append("\nUpload ").append(out).append(" as it is; gateways read <URL>/release.jws").toString();
    }

    private static String verify(String[] args) throws UsageException, IOException {
        if (args.length != 4 || !args[1].equals("--key")) {
            throw new UsageException("verify --key PUBLIC.pem release.jws");
        }
        ReleaseDescriptor d = ReleaseSignature.verify(Files.readString(Path.of(args[3]), StandardCharsets.US_ASCII),
                ReleaseSignature.readPublicKey(Path.of(args[2])));
        return "Signature OK\n" + new String(d.toJson(), StandardCharsets.UTF_8);
    }

    private static String value(String[] args, int i) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static String usage() {
        return """
                ChargeEdge release tool
                  keygen PRIVATE.pem PUBLIC.pem
                  sign --key PRIVATE.pem --channel NAME --release N [--allow-downgrade] --out DIR BUNDLE.jar ...
                  verify --key PUBLIC.pem release.jws""";
    }

    /** A command line that cannot be run, with what to type instead. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
