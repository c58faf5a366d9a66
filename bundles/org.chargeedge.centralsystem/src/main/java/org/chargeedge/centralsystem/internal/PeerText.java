package org.chargeedge.centralsystem.internal;

/**
 * Text that came from a peer (a path, a charge point id, offered
 * subprotocols, a message id, a close reason), made safe for a log line: cut
 * to a documented length and with every control character, and every
 * character outside printable ASCII, escaped as {@code \xNN} or
 * {@code \}{@code uNNNN}. A bare LF therefore cannot forge a second log line,
 * and ESC or BEL never reach an operator's terminal.
 */
final class PeerText {

    /** Longest charge point id, message id or subprotocol list shown. */
    static final int SHORT = 64;
    /** Longest path or reason shown. */
    static final int LONG = 160;

    private PeerText() {
    }

    static String shortText(String text) {
        return clean(text, SHORT);
    }

    static String longText(String text) {
        return clean(text, LONG);
    }

    /** {@code text} escaped and cut after {@code max} characters (with a note of its full length). */
    static String clean(String text, int max) {
        if (text == null) {
            return "";
        }
        int shown = Math.min(text.length(), max);
        StringBuilder out = new StringBuilder(shown + 16);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                out.append(c);
            } else if (c == '\\') {
                out.append("\\\\");
            } else if (c < 0x100) {
                out.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        if (text.length() > max) {
            out.append("...(").append(text.length()).append(" characters)");
        }
        return out.toString();
    }
}
