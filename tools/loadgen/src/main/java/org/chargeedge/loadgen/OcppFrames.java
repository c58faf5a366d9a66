package org.chargeedge.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.chargeedge.loadgen.scenario.Call;
import org.chargeedge.loadgen.scenario.Payloads;

/**
 * OCPP-J frame text as the chargers send and receive it: a CALL {@code [2,"id","Action",{...}]} is
 * written straight into the buffer of the WebSocket frame, and received frames are parsed from their
 * bytes by the one shared Jackson mapper ({@link RunState#JSON}). Message ids are the charger's call
 * counter in decimal: 1, 2, 3, ...
 *
 * <p>Stateless apart from a per-thread scratch array (each event loop thread has its own), so every method
 * may be called from any thread.
 */
final class OcppFrames {

    /** Bytes of received text frames are copied here when the frame's buffer is off-heap. */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[1024];
        }
    };

    private OcppFrames() {
    }

    /** A buffer size that fits the CALL frame of {@code call} when its text is ASCII (the buffer grows otherwise). */
    static int callSizeHint(Call call) {
        return call.payloadJson().length() + call.action().length() + 32;
    }

    /** Writes {@code [2,"<id>","<action>",<payload>]} as UTF-8. */
    static void writeCall(ByteBuf buf, long id, Call call) {
        buf.writeByte('[').writeByte('2').writeByte(',').writeByte('"');
        writeDecimal(buf, id);
        buf.writeByte('"').writeByte(',');
        String action = call.action();
        if (plainAscii(action)) {
            buf.writeByte('"');
            buf.writeCharSequence(action, StandardCharsets.US_ASCII);
            buf.writeByte('"');
        } else {
            ByteBufUtil.writeUtf8(buf, Payloads.quote(new StringBuilder(), action));
        }
        buf.writeByte(',');
        ByteBufUtil.writeUtf8(buf, call.payloadJson());
        buf.writeByte(']');
    }

    /** Appends a non-negative number in decimal without creating a String. */
    static void writeDecimal(ByteBuf buf, long value) {
        if (value < 10) {
            buf.writeByte('0' + (int) value);
            return;
        }
        int digits = 1;
        for (long v = value / 10; v > 0; v /= 10) {
            digits++;
        }
        int at = buf.writerIndex();
        buf.ensureWritable(digits);
        for (int i = digits - 1; i >= 0; i--) {
            buf.setByte(at + i, '0' + (int) (value % 10));
            value /= 10;
        }
        buf.writerIndex(at + digits);
    }

    /** True when {@code s} needs no escaping inside a JSON string and is one byte per char in UTF-8. */
    private static boolean plainAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /**
     * The message id a charger sent as {@code counter}: returns the number for a canonical decimal id
     * ({@code "1"}, {@code "42"}, no sign, no leading zero), -1 for anything else, which is then no id of ours.
     */
    static long parseId(String id) {
        int n = id.length();
        if (n == 0 || n > 18 || (id.charAt(0) == '0' && n > 1)) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /**
     * Parses the UTF-8 JSON text in {@code content} (not consumed, not released) into {@code List}, {@code Map},
     * {@code String}, {@code Long}, ... as {@link RunState#JSON} does; null when it is not valid JSON.
     */
    static Object parse(ByteBuf content) {
        int length = content.readableBytes();
        byte[] bytes;
        int offset;
        if (content.hasArray()) {
            bytes = content.array();
            offset = content.arrayOffset() + content.readerIndex();
        } else {
            bytes = SCRATCH.get();
            if (bytes.length < length) {
                bytes = new byte[Math.max(length, bytes.length * 2)];
                SCRATCH.set(bytes);
            }
            content.getBytes(content.readerIndex(), bytes, 0, length);
            offset = 0;
        }
        try {
            return RunState.JSON.readValue(bytes, offset, length, Object.class);
        } catch (IOException e) { // for a byte array only JSON errors: malformed
            return null;
        }
    }
}
