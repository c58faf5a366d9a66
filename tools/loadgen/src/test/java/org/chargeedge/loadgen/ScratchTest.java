package org.chargeedge.loadgen;

import org.junit.jupiter.api.Test;

class ScratchTest {
    @Test
    void loop() throws Exception {
        System.setProperty("loadgen.debug", "true");
        for (int i = 0; i < 8; i++) {
            StubCentralSystem stub = new StubCentralSystem(new StubCentralSystem.Config()).startAndWait();
            StubCentralSystem.DEBUG.clear();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int code = LoadGenerator.execute(new String[] {"--url", stub.url(), "--scenario", "transactions", "--chargers", "50",
                    "--warmup", "500ms", "--duration", "2s", "--call-timeout", "3s"}, new java.io.PrintStream(out), System.err);
            System.err.println("run " + i + " exit " + code);
            if (code != 0) {
                System.err.println(out);
                StubCentralSystem.DEBUG.forEach((k, v) -> { if (v[1] == 0 || v[1] - v[0] > 100_000_000L) System.err.println("STUB slow " + k + " recv " + v[0] + " sent " + v[1]); });
            }
            stub.shutdown();
        }
    }
}
