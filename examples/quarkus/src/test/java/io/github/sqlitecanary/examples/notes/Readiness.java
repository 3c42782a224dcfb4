package io.github.sqlitecanary.examples.notes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.stream.StreamSupport;

/** One answer of {@code GET /q/health/ready}: the status code and the body. */
record Readiness(int status, String body) {

    static final String CHECK = "sqlite-persistence-canary";
    private static final ObjectMapper JSON = new ObjectMapper();

    JsonNode json() {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("not JSON: " + body, e);
        }
    }

    /** The canary's check in the body, if Quarkus has registered it. */
    Optional<JsonNode> canary() {
        if (!body.startsWith("{")) {
            return Optional.empty();
        }
        return StreamSupport.stream(json().path("checks").spliterator(), false)
                .filter(check -> CHECK.equals(check.path("name").asText()))
                .findFirst();
    }

    /** The canary's check data as SmallRye Health serialised it. */
    JsonNode data() {
        return canary().orElseThrow(() -> new AssertionError("no " + CHECK + " check in " + body)).path("data");
    }

    /** A value of the canary's check data; it must be a JSON string (the library sends only strings). */
    String data(String key) {
        JsonNode value = data().get(key);
        if (value == null) {
            throw new AssertionError("no \"" + key + "\" in the data of " + body);
        }
        if (!value.isTextual()) {
            throw new AssertionError("\"" + key + "\" is not a string in " + body);
        }
        return value.asText();
    }

    String state() {
        return data("state");
    }

    @Override
    public String toString() {
        return status + " " + body;
    }
}
