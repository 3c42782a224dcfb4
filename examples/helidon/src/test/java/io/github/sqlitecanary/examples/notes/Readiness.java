package io.github.sqlitecanary.examples.notes;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.Optional;

/** One answer of {@code GET /health/ready}: the status code and the body. */
record Readiness(int status, String body) {

    static final String CHECK = "sqlite-persistence-canary";

    JsonObject json() {
        try (var reader = Json.createReader(new StringReader(body))) {
            return reader.readObject();
        }
    }

    /** The canary's check in the body, if the application has registered it yet. */
    Optional<JsonObject> canary() {
        if (!body.startsWith("{")) {
            return Optional.empty();
        }
        return json().getJsonArray("checks").getValuesAs(JsonObject.class).stream()
                .filter(check -> CHECK.equals(check.getString("name")))
                .findFirst();
    }

    /** A value of the canary's check data, as a string. */
    String data(String key) {
        JsonObject data = canary().orElseThrow(() -> new AssertionError("no " + CHECK + " check in " + body))
                .getJsonObject("data");
        JsonValue value = data.get(key);
        if (value == null) {
            throw new AssertionError("no \"" + key + "\" in the data of " + body);
        }
        return value.getValueType() == JsonValue.ValueType.STRING ? data.getString(key) : value.toString();
    }

    String state() {
        return data("state");
    }

    @Override
    public String toString() {
        return status + " " + body;
    }
}
