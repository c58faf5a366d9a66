package org.chargeedge.centralsystem.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import eu.chargetime.ocpp.ClientEvents;
import eu.chargetime.ocpp.JSONClient;

/**
 * Connects a ChargeTimeEU {@link JSONClient} and waits until it is open: its {@code connect()}
 * returns at once and only logs a failure, so the opened event is what tells. Shared by the
 * ChargeTimeEU test chargers of every bundle (this class is in the test jar).
 */
public final class ChargeTimeConnect {

    private ChargeTimeConnect() {
    }

    /**
     * Connects {@code client} to {@code baseUrl} (the charge point id is appended by the client),
     * waits at most 5 s for the connection to open, and completes {@code closed}, if given, when it
     * closes.
     */
    public static void open(JSONClient client, String baseUrl, CompletableFuture<Void> closed) throws Exception {
        CompletableFuture<Void> opened = new CompletableFuture<>();
        client.connect(baseUrl, new ClientEvents() {
            @Override
            public void connectionOpened() {
                opened.complete(null);
            }

            @Override
            public void connectionClosed() {
                if (closed != null) {
                    closed.complete(null);
                }
            }
        });
        opened.get(5, TimeUnit.SECONDS);
    }
}
