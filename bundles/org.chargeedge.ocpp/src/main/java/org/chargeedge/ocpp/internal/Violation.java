package org.chargeedge.ocpp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import org.chargeedge.ocpp.rpc.ErrorCode;
import org.chargeedge.ocpp.rpc.OcppValidationException;

/**
 * A field that breaks a rule of OCPP 1.6. The field path is built while the
 * exception travels up through the nested types, so a valid message costs
 * nothing; no stack trace is taken.
 */
public final class Violation extends Exception {
    private static final long serialVersionUID = 1L;
    private static final int MAX_SHOWN = 60;

    private final ErrorCode errorCode;
    private String path = "";

    Violation(ErrorCode errorCode, String detail) {
        super(detail, null, false, false);
        this.errorCode = errorCode;
    }

    /** Prefixes the path with a field name. */
    Violation at(String field) {
        path = path.isEmpty() ? field : path.charAt(0) == '[' ? field + path : field + "." + path;
        return this;
    }

    /** Prefixes the path with a list index. */
    Violation atIndex(int index) {
        String tail = path.isEmpty() || path.charAt(0) == '[' ? path : "." + path;
        path = "[" + index + "]" + tail;
        return this;
    }

    public ErrorCode errorCode() {
        return errorCode;
    }

    /** The dotted field path, e.g. {@code meterValue[0].sampledValue[1].measurand}. */
    public String path() {
        return path;
    }

    /** The public exception, its message prefixed with {@code what} (e.g. "MeterValues.req") and the path. */
    public OcppValidationException toException(String what) {
        String where = path.isEmpty() ? what : what + " " + path;
        return new OcppValidationException(errorCode, path, where + ": " + getMessage());
    }

    /** A short, log-safe description of a JSON value, e.g. {@code the string "abc"}. */
    public static String show(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isTextual()) {
            return "the string " + quote(node.textValue());
        }
        if (node.isObject()) {
            return "an object";
        }
        if (node.isArray()) {
            return "an array";
        }
        if (node.isNull()) {
            return "null";
        }
        return (node.isNumber() ? "the number " : "the boolean ") + node.asText();
    }

    /** A string in double quotes, cut after 60 characters so that hostile input cannot flood a log line. */
    public static String quote(String s) {
        return s.length() <= MAX_SHOWN
                ? '"' + s + '"'
                : '"' + s.substring(0, MAX_SHOWN) + "...\" (" + s.length() + " characters)";
    }
}
