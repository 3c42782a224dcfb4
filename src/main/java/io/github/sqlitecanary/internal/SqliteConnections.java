package io.github.sqlitecanary.internal;

import io.github.sqlitecanary.internal.MarkerTable.ForeignTableException;
import io.github.sqlitecanary.internal.MarkerTable.Marker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.stream.Stream;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteOpenMode;

/**
 * Opens the canary's own connections to a database file.
 *
 * <p>Not through {@code DriverManager}: on Payara it cannot see a driver inside the WAR. Not with
 * the user's URL parameters either: they may change persistent settings such as the journal mode,
 * which the canary must never do. Only a busy timeout is set, and it lives on the connection.
 *
 * <p>Reading leaves no new file beside the database: an init container running as root would
 * otherwise leave files that the application's user cannot write.
 */
public final class SqliteConnections {

    /** What a read may do about a hot journal or WAL that a crash left behind. */
    public enum Recovery {
        /** Recover it the way any SQLite connection does (the application's start: {@code check}). */
        IN_PLACE,
        /** Change nothing: read a private copy that SQLite recovers instead ({@code status}). */
        PRIVATE_COPY
    }

    private SqliteConnections() {
    }

    /**
     * Reads the marker of an existing database.
     *
     * <p>A cleanly closed WAL database has no {@code -wal} file, and a read-only connection would
     * create {@code -wal} and {@code -shm} and leave them behind; without a {@code -wal} file the
     * database file alone holds every committed transaction, so it is read as immutable. (No
     * other connection is open at that moment, or the {@code -wal} file would exist.)
     */
    public static Optional<Marker> readMarker(Path file, DatabaseFile.Kind kind, MarkerTable table,
            int busyTimeoutMillis, Recovery recovery) throws SQLException, ForeignTableException {
        if (kind == DatabaseFile.Kind.ABSENT || kind == DatabaseFile.Kind.EMPTY) {
            return Optional.empty();
        }
        boolean wal = kind == DatabaseFile.Kind.WAL;
        boolean walFile = Files.exists(sibling(file, "-wal"));
        // A -wal file without its -shm index: even a read-only connection would create the index.
        boolean readableInPlace = !wal || !walFile || Files.exists(sibling(file, "-shm"));
        if (readableInPlace) {
            try (Connection connection = openForReading(file, busyTimeoutMillis, wal && !walFile)) {
                return table.read(connection);
            } catch (SQLiteException e) {
                if (!needsRecovery(e)) {
                    throw e;
                }
            }
        }
        if (recovery == Recovery.IN_PLACE) {
            try (Connection connection = openForWriting(file, busyTimeoutMillis)) {
                return table.read(connection);
            }
        }
        return readPrivateCopy(file, table, busyTimeoutMillis);
    }

    private static boolean needsRecovery(SQLiteException e) {
        SQLiteErrorCode code = e.getResultCode();
        return code == SQLiteErrorCode.SQLITE_READONLY_ROLLBACK || code == SQLiteErrorCode.SQLITE_READONLY_RECOVERY
                || code == SQLiteErrorCode.SQLITE_READONLY_CANTINIT;
    }

    /** Copies the database and its journal into a directory of the canary's own, recovers and reads it there. */
    private static Optional<Marker> readPrivateCopy(Path file, MarkerTable table, int busyTimeoutMillis)
            throws SQLException, ForeignTableException {
        Path directory;
        try {
            directory = Files.createTempDirectory("sqlite-persistence-canary-status-");
        } catch (IOException e) {
            throw new SQLException("cannot make a private copy to read a database that needs recovery: "
                    + LockFile.describe(e), e);
        }
        try {
            Path copy = directory.resolve(file.getFileName());
            Files.copy(file, copy);
            for (String suffix : new String[] {"-journal", "-wal"}) {
                if (Files.exists(sibling(file, suffix))) {
                    Files.copy(sibling(file, suffix), sibling(copy, suffix));
                }
            }
            try (Connection connection = openForWriting(copy, busyTimeoutMillis)) {
                return table.read(connection);
            }
        } catch (IOException e) {
            throw new SQLException("cannot make a private copy to read a database that needs recovery: "
                    + LockFile.describe(e), e);
        } finally {
            deleteTree(directory);
        }
    }

    private static void deleteTree(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path path : files.toList()) {
                Files.deleteIfExists(path);
            }
            Files.deleteIfExists(directory);
        } catch (IOException | UncheckedIOException e) {
            // A copy left in the temporary directory harms nothing; the next reboot clears it.
        }
    }

    private static Path sibling(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    private static Connection openForReading(Path file, int busyTimeoutMillis, boolean immutable) throws SQLException {
        SQLiteConfig config = baseConfig(busyTimeoutMillis);
        config.setReadOnly(true);
        config.resetOpenMode(SQLiteOpenMode.CREATE);
        return open(file, config, immutable ? "?immutable=1" : "");
    }

    /** Opens the database for the marker write, creating the file where it does not exist yet. */
    public static Connection openForWriting(Path file, int busyTimeoutMillis) throws SQLException {
        return open(file, baseConfig(busyTimeoutMillis), "");
    }

    private static SQLiteConfig baseConfig(int busyTimeoutMillis) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(busyTimeoutMillis);
        config.setOpenMode(SQLiteOpenMode.OPEN_URI);
        return config;
    }

    private static Connection open(Path file, SQLiteConfig config, String query) throws SQLException {
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        // A file: URI with every unusual byte percent-encoded, so that '?', '#', '%', spaces and
        // non-ASCII letters in the path reach SQLite intact instead of being read as URL syntax.
        dataSource.setUrl("jdbc:sqlite:file:" + file.toUri().getRawPath() + query);
        return dataSource.getConnection();
    }
}
