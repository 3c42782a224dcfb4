package io.github.sqlitecanary.examples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the part of TOML that the examples' {@code fly.toml} files use: {@code [table]} and
 * {@code [[array.of.tables]]} headers with dotted names, {@code key = value} with basic strings,
 * literal strings, integers, booleans and one-line arrays of those, and comments. Anything else
 * (multi-line strings, inline tables, dotted keys, dates, floats) is refused with the line, so a
 * deploy artefact the test cannot read fails the test instead of being half-read.
 */
final class MiniToml {

    private MiniToml() {
    }

    /** The document as nested maps: a table is a {@code Map}, an array of tables a {@code List} of maps. */
    static Map<String, Object> parse(String text) {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> current = root;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String where = "line " + (i + 1) + ": " + lines[i].strip();
            Cursor c = new Cursor(lines[i], where);
            c.skipBlanks();
            if (c.atEnd()) {
                continue;
            }
            if (c.peek() == '[') {
                boolean array = c.line.startsWith("[[", c.pos);
                c.pos += array ? 2 : 1;
                List<String> path = new ArrayList<>();
                do {
                    c.skipBlanks();
                    path.add(c.bareKey());
                    c.skipBlanks();
                } while (c.consume('.'));
                c.expect(']');
                if (array) {
                    c.expect(']');
                }
                c.endOfLine();
                current = open(root, path, array, where);
            } else {
                String key = c.bareKey();
                c.skipBlanks();
                c.expect('=');
                c.skipBlanks();
                Object value = c.value();
                c.endOfLine();
                if (current.putIfAbsent(key, value) != null) {
                    throw new IllegalArgumentException("duplicate key " + key + " at " + where);
                }
            }
        }
        return root;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> open(Map<String, Object> root, List<String> path, boolean array, String where) {
        Map<String, Object> table = root;
        for (int i = 0; i < path.size(); i++) {
            String name = path.get(i);
            boolean last = i == path.size() - 1;
            Object existing = table.get(name);
            if (last && array) {
                if (existing == null) {
                    existing = new ArrayList<Map<String, Object>>();
                    table.put(name, existing);
                }
                if (!(existing instanceof List)) {
                    throw new IllegalArgumentException(name + " is not an array of tables at " + where);
                }
                Map<String, Object> element = new LinkedHashMap<>();
                ((List<Object>) existing).add(element);
                return element;
            }
            if (existing == null) {
                existing = new LinkedHashMap<String, Object>();
                table.put(name, existing);
            } else if (existing instanceof List<?> list && !last) {
                existing = list.get(list.size() - 1); // [[a]] then [a.b]: b belongs to a's last element
            } else if (!(existing instanceof Map) || last) {
                throw new IllegalArgumentException("table " + String.join(".", path) + " defined twice at " + where);
            }
            table = (Map<String, Object>) existing;
        }
        return table;
    }

    private static final class Cursor {
        final String line;
        final String where;
        int pos;

        Cursor(String line, String where) {
            this.line = line;
            this.where = where;
        }

        boolean atEnd() {
            return pos >= line.length() || line.charAt(pos) == '#';
        }

        char peek() {
            return line.charAt(pos);
        }

        void skipBlanks() {
            while (pos < line.length() && (line.charAt(pos) == ' ' || line.charAt(pos) == '\t')) {
                pos++;
            }
        }

        boolean consume(char ch) {
            if (pos < line.length() && line.charAt(pos) == ch) {
                pos++;
                return true;
            }
            return false;
        }

        void expect(char ch) {
            if (!consume(ch)) {
                throw unsupported("expected '" + ch + "'");
            }
        }

        void endOfLine() {
            skipBlanks();
            if (!atEnd()) {
                throw unsupported("unexpected text after the value");
            }
        }

        String bareKey() {
            int start = pos;
            while (pos < line.length() && (Character.isLetterOrDigit(line.charAt(pos)) || line.charAt(pos) == '_'
                    || line.charAt(pos) == '-')) {
                pos++;
            }
            if (start == pos) {
                throw unsupported("expected a bare key");
            }
            return line.substring(start, pos);
        }

        Object value() {
            if (pos >= line.length()) {
                throw unsupported("missing value");
            }
            char ch = peek();
            if (ch == '"') {
                if (line.startsWith("\"\"\"", pos)) {
                    throw unsupported("multi-line strings");
                }
                pos++;
                StringBuilder out = new StringBuilder();
                while (true) {
                    if (pos >= line.length()) {
                        throw unsupported("unterminated string");
                    }
                    char c = line.charAt(pos++);
                    if (c == '"') {
                        return out.toString();
                    }
                    if (c == '\\') {
                        char e = pos < line.length() ? line.charAt(pos++) : ' ';
                        switch (e) {
                            case '"' -> out.append('"');
                            case '\\' -> out.append('\\');
                            case 'n' -> out.append('\n');
                            case 't' -> out.append('\t');
                            default -> throw unsupported("escape \\" + e);
                        }
                    } else {
                        out.append(c);
                    }
                }
            }
            if (ch == '\'') {
                if (line.startsWith("'''", pos)) {
                    throw unsupported("multi-line strings");
                }
                int end = line.indexOf('\'', pos + 1);
                if (end < 0) {
                    throw unsupported("unterminated string");
                }
                String s = line.substring(pos + 1, end);
                pos = end + 1;
                return s;
            }
            if (ch == '[') {
                pos++;
                List<Object> values = new ArrayList<>();
                skipBlanks();
                while (!consume(']')) {
                    values.add(value());
                    skipBlanks();
                    if (!consume(',')) {
                        expect(']');
                        break;
                    }
                    skipBlanks();
                }
                return values;
            }
            if (ch == '{') {
                throw unsupported("inline tables");
            }
            int start = pos;
            while (pos < line.length() && " \t,]#".indexOf(line.charAt(pos)) < 0) {
                pos++;
            }
            String token = line.substring(start, pos);
            if (token.equals("true") || token.equals("false")) {
                return Boolean.valueOf(token);
            }
            if (token.matches("[+-]?(0|[1-9](_?[0-9])*)")) {
                return Long.valueOf(token.replace("_", ""));
            }
            throw unsupported("value " + token);
        }

        IllegalArgumentException unsupported(String what) {
            return new IllegalArgumentException("TOML this test does not read (" + what + ") at " + where);
        }
    }
}
