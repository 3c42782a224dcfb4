package io.github.sqlitecanary.cli;

import io.github.sqlitecanary.CanaryOptions;
import io.github.sqlitecanary.CanaryReport;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reports as text for a person or as JSON for a program; no JSON library in the CLI jar. A
 * command-line user is told the flag ({@code --lock-dir}), not the MicroProfile key.
 */
final class ReportFormat {

    private static final Pattern KEY = Pattern.compile(Pattern.quote("sqlite.canary.") + "([a-z-]+)");
    private static final Pattern QUERY = Pattern.compile("(?i)((?:jdbc:sqlite:|file:)[^?\\s]*)\\?\\S*");

    private ReportFormat() {
    }

    static String text(List<CanaryReport> reports) {
        StringBuilder text = new StringBuilder();
        for (CanaryReport report : reports) {
            text.append(report.state()).append(report.isUp() ? " (UP)" : " (DOWN)").append(": ")
                    .append(report.database()).append('\n');
            text.append("  ").append(asFlags(report.message())).append('\n');
            text.append("  lock: ").append(report.lock()).append('\n');
            text.append("  filesystem: ").append(report.filesystem()).append('\n');
            text.append("  platform: ").append(report.platform()).append('\n');
            text.append("  deploy id: ").append(asFlags(report.deployId())).append('\n');
            for (String warning : report.warnings()) {
                text.append("  warning: ").append(asFlags(warning)).append('\n');
            }
        }
        return text.toString();
    }

    /** One object for one database; for several, the first DOWN one on top and all of them in {@code databases}. */
    static String json(List<CanaryReport> reports) {
        CanaryReport headline = reports.stream().filter(r -> !r.isUp()).findFirst().orElse(reports.get(0));
        StringBuilder json = new StringBuilder("{");
        json.append("\"status\":").append(quote(reports.stream().allMatch(CanaryReport::isUp) ? "UP" : "DOWN"));
        appendFields(json, headline);
        if (reports.size() > 1) {
            json.append(",\"databases\":[");
            json.append(reports.stream().map(r -> {
                StringBuilder one = new StringBuilder("{\"status\":").append(quote(r.isUp() ? "UP" : "DOWN"));
                appendFields(one, r);
                return one.append('}').toString();
            }).collect(Collectors.joining(",")));
            json.append(']');
        }
        return json.append("}\n").toString();
    }

    /** A usage or internal error as the one JSON object of {@code --json}. */
    static String error(int exitCode, String problem) {
        return "{\"status\":\"ERROR\",\"exitCode\":" + exitCode + ",\"error\":" + quote(problem) + "}\n";
    }

    private static void appendFields(StringBuilder json, CanaryReport report) {
        json.append(",\"state\":").append(quote(report.state().name()));
        json.append(",\"database\":").append(quote(report.database()));
        json.append(",\"lock\":").append(quote(report.lock()));
        json.append(",\"filesystem\":").append(quote(report.filesystem()));
        json.append(",\"message\":").append(quote(asFlags(report.message())));
        json.append(",\"platform\":").append(quote(report.platform()));
        json.append(",\"deployId\":").append(quote(asFlags(report.deployId())));
        json.append(",\"warnings\":[")
                .append(report.warnings().stream().map(w -> quote(asFlags(w))).collect(Collectors.joining(",")))
                .append(']');
    }

    /** {@code sqlite.canary.busy-timeout} as the flag {@code --busy-timeout} that sets it here. */
    static String asFlags(String text) {
        Matcher key = KEY.matcher(text);
        StringBuilder out = new StringBuilder();
        while (key.find()) {
            boolean known = CanaryOptions.KEYS.contains(key.group());
            key.appendReplacement(out, Matcher.quoteReplacement(known ? "--" + key.group(1) : key.group()));
        }
        return key.appendTail(out).toString();
    }

    /** Any JDBC URL or file: URI in a text without its query string, which may hold keys. */
    static String withoutQueries(String text) {
        return QUERY.matcher(text).replaceAll("$1?…");
    }

    static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
