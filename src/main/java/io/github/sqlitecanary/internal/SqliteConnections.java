package io.github.sqlitecanary.internal;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteOpenMode;

/**
 * Opens the canary's own connections to a database file.
 *
 * <p>Not through {@code DriverManager}: on Payara it cannot see a driver inside the WAR. Not with
 * the user's URL parameters either: they may change persistent settings such as the journal mode,
 * which the canary must never do. Only a busy timeout is set, and it lives on the connection.
 */
public final class SqliteConnections {

    private SqliteConnections() {
    }

    /** Opens an existing database for reading only; never creates it. */
    public static Connection openForReading(Path file, int busyTimeoutMillis) throws SQLException {
        SQLiteConfig config = baseConfig(busyTimeoutMillis);
        config.setReadOnly(true);
        config.resetOpenMode(SQLiteOpenMode.CREATE);
        return open(file, config);
    }

    /** Opens the database for the marker write, creating the file where it does not exist yet. */
    public static Connection openForWriting(Path file, int busyTimeoutMillis) throws SQLException {
        return open(file, baseConfig(busyTimeoutMillis));
    }

    private static SQLiteConfig baseConfig(int busyTimeoutMillis) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(busyTimeoutMillis);
        config.setOpenMode(SQLiteOpenMode.OPEN_URI);
        return config;
    }

    private static Connection open(Path file, SQLiteConfig config) throws SQLException {
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        // A file: URI with every unusual byte percent-encoded, so that '?', '#', '%', spaces and
        // non-ASCII letters in the path reach SQLite intact instead of being read as URL syntax.
        dataSource.setUrl("jdbc:sqlite:file:" + file.toUri().getRawPath());
        return dataSource.getConnection();
    }
}
