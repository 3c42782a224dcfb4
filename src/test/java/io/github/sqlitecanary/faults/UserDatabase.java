package io.github.sqlitecanary.faults;

import io.github.sqlitecanary.CanaryOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.sqlite.SQLiteConfig;

/**
 * A user's database as an application leaves it: tables with rows, an index, and persistent
 * settings that the canary must never change; and the fingerprints that prove it did not.
 */
final class UserDatabase {

    static final int USER_VERSION = 42;
    static final int APPLICATION_ID = 0x5ca1ab1e;
    static final int PAGE_SIZE = 2048;

    private UserDatabase() {
    }

    /** Creates a database with two tables of rows, an index and non-default settings. */
    static void create(Path file, String journalMode) throws SQLException {
        try (Connection connection = open(file); Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA page_size = " + PAGE_SIZE);
            statement.execute("PRAGMA journal_mode = " + journalMode);
            statement.execute("PRAGMA user_version = " + USER_VERSION);
            statement.execute("PRAGMA application_id = " + APPLICATION_ID);
            statement.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, data BLOB)");
            statement.execute("CREATE INDEX notes_body ON notes (body)");
            statement.execute("CREATE TABLE accounts (name TEXT PRIMARY KEY, balance REAL) WITHOUT ROWID");
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO notes (body, data) VALUES (?, ?)")) {
                for (int i = 0; i < 40; i++) {
                    insert.setString(1, "note " + i + " ü " + "x".repeat(i * 7));
                    insert.setBytes(2, new byte[] {(byte) i, 0, (byte) 0xff});
                    insert.executeUpdate();
                }
            }
            statement.execute("INSERT INTO accounts VALUES ('alice', 10.5), ('bob', -3)");
        }
    }

    /** A read-write connection, as the application has; rolls back a hot journal it finds. */
    static Connection open(Path file) throws SQLException {
        return new SQLiteConfig().createConnection("jdbc:sqlite:" + file);
    }

    static Connection openReadOnly(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        return config.createConnection("jdbc:sqlite:" + file);
    }

    /** Rows in the canary's marker table; 0 when the table does not exist. */
    static int markerRows(Path file) throws SQLException {
        try (Connection connection = openReadOnly(file); Statement statement = connection.createStatement()) {
            try (ResultSet exists = statement.executeQuery("SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                    + " AND name = '" + CanaryOptions.DEFAULT_TABLE + "'")) {
                if (exists.getInt(1) == 0) {
                    return 0;
                }
            }
            try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + CanaryOptions.DEFAULT_TABLE)) {
                return rows.getInt(1);
            }
        }
    }

    static void insertNote(Connection connection, String body) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO notes (body) VALUES (?)")) {
            insert.setString(1, body);
            insert.executeUpdate();
        }
    }

    /**
     * A hash of everything the user owns: every table but the canary's (schema and every row, in
     * key order), every index and the persistent settings. Reads only.
     */
    static String fingerprint(Path file) throws SQLException {
        StringBuilder text = new StringBuilder();
        try (Connection connection = openReadOnly(file); Statement statement = connection.createStatement()) {
            for (String pragma : List.of("user_version", "application_id", "journal_mode", "page_size")) {
                try (ResultSet value = statement.executeQuery("PRAGMA " + pragma)) {
                    text.append(pragma).append('=').append(value.getString(1)).append('\n');
                }
            }
            List<String> tables = new ArrayList<>();
            try (ResultSet schema = statement.executeQuery("SELECT type, name, sql FROM sqlite_master"
                    + " WHERE name <> '" + CanaryOptions.DEFAULT_TABLE + "' ORDER BY type, name")) {
                while (schema.next()) {
                    text.append(schema.getString(1)).append(' ').append(schema.getString(2)).append(": ")
                            .append(schema.getString(3)).append('\n');
                    if (schema.getString(1).equals("table")) {
                        tables.add(schema.getString(2));
                    }
                }
            }
            for (String table : tables) {
                // WITHOUT ROWID tables have no rowid: order them by their primary key, the first column.
                String order = table.equals("accounts") ? "1" : "rowid";
                try (ResultSet rows = statement.executeQuery("SELECT * FROM \"" + table + "\" ORDER BY " + order)) {
                    int columns = rows.getMetaData().getColumnCount();
                    while (rows.next()) {
                        text.append(table).append(':');
                        for (int c = 1; c <= columns; c++) {
                            Object value = rows.getObject(c);
                            text.append(value instanceof byte[] bytes ? HexFormat.of().formatHex(bytes)
                                    : String.valueOf(value)).append('|');
                        }
                        text.append('\n');
                    }
                }
            }
        }
        return sha256(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A hash of the database file's bytes and of its journal or write-ahead log. An empty journal or
     * log holds nothing and counts as absent: SQLite's own connections (a reader in WAL mode, the
     * last connection closing) create and remove empty ones as they see fit.
     */
    static String fileBytes(Path file) throws IOException {
        StringBuilder hashes = new StringBuilder();
        for (String suffix : List.of("", "-journal", "-wal")) {
            Path part = file.resolveSibling(file.getFileName() + suffix);
            boolean holdsBytes = Files.exists(part) && Files.size(part) > 0;
            hashes.append(suffix.isEmpty() ? "db" : suffix).append('=')
                    .append(holdsBytes ? sha256(Files.readAllBytes(part)) : "none").append(' ');
        }
        return hashes.toString();
    }

    static String journalMode(Path file) throws SQLException {
        try (Connection connection = openReadOnly(file); Statement statement = connection.createStatement();
                ResultSet mode = statement.executeQuery("PRAGMA journal_mode")) {
            return mode.getString(1);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
