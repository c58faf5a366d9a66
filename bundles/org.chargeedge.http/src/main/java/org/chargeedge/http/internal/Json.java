package org.chargeedge.http.internal;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;

import org.chargeedge.ocpp.v16.OcppEnum;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** JSON in and out of the API: one mapper, errors as {@code {"error": "...", "status": N}}. */
final class Json {

    /** Thread-safe once configured; shared by every servlet of the bundle. */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .addMixIn(org.chargeedge.api.charger.ChargerInfo.class, InstallerFindings.ChargerJson.class)
            .registerModule(new SimpleModule("chargeedge")
                    .addSerializer(Instant.class, ToStringSerializer.instance)
                    .addSerializer(Duration.class, ToStringSerializer.instance)
                    .addSerializer(OcppEnum.class, new StdSerializer<OcppEnum>(OcppEnum.class) {
                        private static final long serialVersionUID = 1L;

                        @Override
                        public void serialize(OcppEnum value, JsonGenerator out, SerializerProvider provider)
                                throws IOException {
                            out.writeString(value.value()); // the OCPP spelling, as chargers send it
                        }
                    })
                    .addDeserializer(Instant.class, new StdDeserializer<Instant>(Instant.class) {
                        private static final long serialVersionUID = 1L;

                        @Override
                        public Instant deserialize(JsonParser p, DeserializationContext context) throws IOException {
                            return Instant.parse(p.getText());
                        }
                    }));

    /** Request bodies are small commands; a larger one is refused before it is read. */
    static final int MAX_BODY = 64 * 1024;

    private Json() {
    }

    /** An answer the API gives instead of a result: an HTTP status and a message for the operator. */
    static final class ApiException extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        ApiException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    static void write(HttpServletResponse response, int status, Object body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        MAPPER.writeValue(response.getOutputStream(), body);
    }

    static void error(HttpServletResponse response, int status, String message) throws IOException {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("error", message);
        body.put("status", status);
        write(response, status, body);
    }

    /** The request's JSON object, or an ApiException 400/413/415 saying what is wrong with it. */
    static JsonNode body(HttpServletRequest request) throws ApiException, IOException {
        String type = request.getContentType();
        if (type == null || !type.toLowerCase().startsWith("application/json")) {
            throw new ApiException(415, "send the request body as application/json");
        }
        if (request.getContentLengthLong() > MAX_BODY) {
            throw new ApiException(413, "the request body is larger than " + MAX_BODY + " bytes");
        }
        byte[] bytes;
        try (InputStream in = request.getInputStream()) {
            bytes = in.readNBytes(MAX_BODY + 1);
        }
        if (bytes.length > MAX_BODY) {
            throw new ApiException(413, "the request body is larger than " + MAX_BODY + " bytes");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "the request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new ApiException(400, "the request body must be a JSON object");
        }
        return node;
    }

    /** A required string field of {@code body}. */
    static String text(JsonNode body, String field) throws ApiException {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw new ApiException(400, "'" + field + "' is missing");
        }
        if (!value.isTextual() || value.textValue().isBlank()) {
            throw new ApiException(400, "'" + field + "' must be a non-empty string");
        }
        return value.textValue();
    }
}
