package io.github.sqlitecanary.examples.servers;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.List;
import java.util.Optional;

/** One answer of a readiness URL: the status code and the body. */
record Readiness(int status, String body) {

    static final String CHECK = "sqlite-persistence-canary";

    boolean isJson() {
        return body.startsWith("{");
    }

    List<JsonObject> checks() {
        if (!isJson()) {
            return List.of();
        }
        try (var reader = Json.createReader(new StringReader(body))) {
            return reader.readObject().getJsonArray("checks").getValuesAs(JsonObject.class);
        }
    }

    /** The canary's check in the body, if the application has registered it yet. */
    Optional<JsonObject> canary() {
        return check(CHECK);
    }

    /** A check in the body by its name: the canary's, or one of the server's own. */
    Optional<JsonObject> check(String name) {
        return checks().stream().filter(check -> name.equals(check.getString("name"))).findFirst();
    }

    /** The names of the checks that are DOWN (the canary's with its state), for a report. */
    String downChecks() {
        if (!isJson()) {
            return "(not a health answer)";
        }
        return "DOWN " + checks().stream().filter(check -> "DOWN".equals(check.getString("status")))
                .map(check -> check.getString("name") + (CHECK.equals(check.getString("name")) ? " " + state() : ""))
                .toList();
    }

    /**
     * The canary has given its verdict and every other check (the server's own: WildFly's
     * server-state and deployments-status, Payara's "No Application deployed") is UP, so the
     * status code is the canary's alone.
     */
    boolean hasCanaryVerdict() {
        return canary().isPresent() && !"STARTING".equals(state())
                && checks().stream().filter(check -> !CHECK.equals(check.getString("name")))
                        .allMatch(check -> "UP".equals(check.getString("status")));
    }

    /** A value of the canary's check data, as a string (Payara sends every value as one). */
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
