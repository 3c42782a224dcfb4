package io.github.sqlitecanary.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a configured database lives: a file, or nowhere that outlives the process. Pure: reads
 * nothing of the file system.
 *
 * <p>Accepts what users write in configuration: a plain path (every character, {@code ?}
 * included, is part of the file name), {@code jdbc:sqlite:PATH} and {@code jdbc:sqlite:file:URI}
 * (where {@code ?} starts a query string, as sqlite-jdbc reads it), and a bare SQLite
 * {@code file:} URI. The query string is dropped from everything shown ({@link #display()}),
 * because users put keys and passwords there.
 */
public final class DatabaseLocation {

    private static final String JDBC_PREFIX = "jdbc:sqlite:";
    private static final Pattern WINDOWS_DRIVE = Pattern.compile("/([A-Za-z]:[/\\\\].*)");

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
        boolean uri = rest.regionMatches(true, 0, "file:", 0, 5);
        // Only a URL or a URI has a query string; in a plain path '?' is part of the file name.
        int question = url || uri ? rest.indexOf('?') : -1;
        String query = question < 0 ? "" : rest.substring(question + 1);
        String target = question < 0 ? rest : rest.substring(0, question);
        String display = (url ? JDBC_PREFIX : "") + target + (question < 0 ? "" : "?…");

        Optional<String> inMemoryParameter = inMemoryParameter(query);
        if (inMemoryParameter.isPresent()) {
            return ephemeral(display, "the URL asks for an in-memory database (" + inMemoryParameter.get() + ")");
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
        if (uri) {
            target = uriPath(target.substring(5), workingDirectory.getFileSystem().getSeparator().equals("\\"));
            if (target.isEmpty() || target.startsWith(":memory:")) {
                return ephemeral(display, "the file: URI names an in-memory or temporary database");
            }
        }
        try {
            Path path = workingDirectory.getFileSystem().getPath(target);
            boolean relative = !path.isAbsolute();
            Path absolute = workingDirectory.resolve(path).toAbsolutePath();
            if (absolute.normalize().getParent() == null || absolute.getFileName() == null) {
                throw new IllegalArgumentException("\"" + display + "\" names no file inside a directory");
            }
            return new DatabaseLocation(display, absolute, relative, null);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("\"" + display + "\" is not a usable path: " + e.getReason(), e);
        }
    }

    /** The configured text as it may be shown: a JDBC URL or file: URI without its query string. */
    public static String withoutQuery(String configured) {
        String spec = configured.trim();
        boolean url = spec.regionMatches(true, 0, JDBC_PREFIX, 0, JDBC_PREFIX.length())
                || spec.regionMatches(true, 0, "file:", 0, 5);
        int question = url ? spec.indexOf('?') : -1;
        return question < 0 ? spec : spec.substring(0, question) + "?…";
    }

    private static DatabaseLocation ephemeral(String display, String reason) {
        return new DatabaseLocation(display, null, false, reason);
    }

    /**
     * The query parameter that makes SQLite keep the database in memory, read as SQLite reads it:
     * names and values percent-decoded and case-insensitive ({@code mode=%6Demory} is memory too).
     */
    private static Optional<String> inMemoryParameter(String query) {
        for (String parameter : query.split("&")) {
            int equals = parameter.indexOf('=');
            if (equals < 0) {
                continue;
            }
            String name = percentDecode(parameter.substring(0, equals)).trim().toLowerCase(Locale.ROOT);
            String value = percentDecode(parameter.substring(equals + 1)).trim().toLowerCase(Locale.ROOT);
            if ((name.equals("mode") && value.equals("memory")) || (name.equals("vfs") && value.equals("memdb"))) {
                return Optional.of(name + "=" + value);
            }
        }
        return Optional.empty();
    }

    /**
     * The path of an SQLite URI file name ({@code file:/a}, {@code file:///a},
     * {@code file://localhost/a}), percent-decoded; on Windows {@code file:///C:/a} is {@code C:/a}.
     */
    static String uriPath(String afterScheme, boolean windows) {
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
        String decoded = percentDecode(fragment < 0 ? path : path.substring(0, fragment));
        Matcher drive = WINDOWS_DRIVE.matcher(decoded);
        return windows && drive.matches() ? drive.group(1) : decoded;
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

    /**
     * The database file as written, made absolute but not normalised: {@code link/..} is for the
     * file system to resolve ({@link RealPath}), not for string arithmetic. Empty for an in-memory
     * or temporary database.
     */
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
