package org.chargeedge.ocpp.rpc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.chargeedge.ocpp.v16.Action;

/** The example traffic of {@code ocpp16-examples.txt}: one CALL and its CALLRESULT per action. */
final class Examples {

    /** One frame, with the action it belongs to (for a CALLRESULT: the action of the CALL with the same id). */
    record Frame(Action action, boolean call, String text) {
        @Override
        public String toString() {
            return action + (call ? ".req" : ".conf");
        }
    }

    static final List<Frame> FRAMES = load();

    private Examples() {
    }

    private static List<Frame> load() {
        OcppJsonCodec codec = new OcppJsonCodec();
        Map<String, Action> actionById = new HashMap<>();
        List<Frame> frames = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                Examples.class.getResourceAsStream("/ocpp16-examples.txt"), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                RpcFrame frame = codec.parse(line);
                if (frame instanceof RpcFrame.Call call) {
                    Action action = Action.byName(call.action()).orElseThrow();
                    actionById.put(call.messageId(), action);
                    frames.add(new Frame(action, true, line));
                } else {
                    frames.add(new Frame(actionById.get(frame.messageId()), false, line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (FrameException e) {
            throw new IllegalStateException(e);
        }
        return List.copyOf(frames);
    }
}
