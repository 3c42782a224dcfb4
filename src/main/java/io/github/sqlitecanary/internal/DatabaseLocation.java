package io.github.sqlitecanary.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a configured database lives: a file, or nowhere that outlives the process.
 *
 * <p>Accepts what users write in configuration: a plain path, {@code jdbc:sqlite:PATH},
 * {@code jdbc:sqlite:file:URI}, with or without a query string. The query string is dropped from
 * everything shown ({@link #display()}), because users put keys and passwords there.
 */
public final class DatabaseLocation {

    private static final String JDBC_PREFIX = "jdbc:sqlite:";

    private final String display;
    private final Path file;
    private final boolean relative;
    private final String ephemeralReason;

    private DatabaseLocation(String display, Path file, boolean relative, String ephemeralReason) {
        this.display = display;
        this.file = file;
        this.relative = relative;
        this.ephemeralReason = ephemeralReason;
    }

    /**
     * Parses a configured database.
     *
     * @param workingDirectory what a relative path is resolved against (the server's working directory)
     * @throws IllegalArgumentException with a message that names the problem, for a path that cannot exist
     */
    public static DatabaseLocation parse(String configured, Path workingDirectory) {
        String spec = configured.trim();
        boolean url = spec.regionMatches(true, 0, JDBC_PREFIX, 0, JDBC_PREFIX.length());
        String rest = url ? spec.substring(JDBC_PREFIX.length()) : spec;
        int question = rest.indexOf('?');
        String query = question < 0 ? "" : rest.substring(question + 1);
        String target = question < 0 ? rest : rest.substring(0, question);
        String display = (url ? JDBC_PREFIX : "") + target + (query.isEmpty() ? "" : "?…");

        if (query.toLowerCase(Locale.ROOT).matches("(.*&)?mode=memory(&.*)?")) {
            return ephemeral(display, "the URL asks for an in-memory database (mode=memory)");
        }
        if (target.isEmpty()) {
            return ephemeral(display, "an empty path makes SQLite use a temporary database that is deleted when "
                    + "the connection closes");
        }
        if (target.startsWith(":memory:")) {
            return ephemeral(display, "\":memory:\" is an in-memory database");
        }
        if (target.startsWith(":resource:")) {
            return ephemeral(display, "a \":resource:\" database is read from the application's class path, "
                    + "which is replaced on every deploy");
        }
        if (target.regionMatches(true, 0, "file:", 0, 5)) {
            target = uriPath(target.substring(5));
            if (target.isEmpty() || target.startsWith(":memory:")) {
                return ephemeral(display, "the file: URI names an in-memory or temporary database");
            }
        }
        try {
            Path path = Path.of(target);
            boolean relative = !path.isAbsolute();
            Path absolute = workingDirectory.resolve(path).toAbsolutePath().normalize();
            if (absolute.getParent() == null) {
                throw new IllegalArgumentException("\"" + display + "\" names no file inside a directory");
            }
            return new DatabaseLocation(display, absolute, relative, null);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("\"" + display + "\" is not a usable path: " + e.getReason(), e);
        }
    }

    /** The configured text without any query string, safe to show. */
    public static String withoutQuery(String configured) {
        int question = configured.indexOf('?');
        return question < 0 ? configured.trim() : configured.substring(0, question).trim() + "?…";
    }

    private static DatabaseLocation ephemeral(String display, String reason) {
        return new DatabaseLocation(display, null, false, reason);
    }

    // SQLite's URI file names: "file:/a", "file:///a", "file://localhost/a", percent-encoded.
    private static String uriPath(String afterScheme) {
        String path = afterScheme;
        if (path.startsWith("//")) {
            int slash = path.indexOf('/', 2);
            String authority = slash < 0 ? path.substring(2) : path.substring(2, slash);
            if (!authority.isEmpty() && !authority.equalsIgnoreCase("localhost")) {
                throw new IllegalArgumentException("the file: URI names the host \"" + authority
                        + "\"; SQLite opens only local files");
            }
            path = slash < 0 ? "" : path.substring(slash);
        }
        int fragment = path.indexOf('#');
        return percentDecode(fragment < 0 ? path : path.substring(0, fragment));
    }

    private static String percentDecode(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length() && isHex(text.charAt(i + 1)) && isHex(text.charAt(i + 2))) {
                bytes.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    /** The database as configured, without the query string. */
    public String display() {
        return display;
    }

    /** The database file, absolute and normalised; empty for an in-memory or temporary database. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** Whether the configured path was relative and was resolved against the working directory. */
    public boolean relative() {
        return relative;
    }

    /** Why this database cannot outlive the process; empty for a file. */
    public Optional<String> ephemeralReason() {
        return Optional.ofNullable(ephemeralReason);
    }
}
