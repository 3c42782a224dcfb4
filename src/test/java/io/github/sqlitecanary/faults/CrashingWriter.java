package io.github.sqlitecanary.faults;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * The application, killed while it writes: a child JVM that writes many notes, says "ready" and
 * waits for its SIGKILL. {@code uncommitted}: inside an open transaction, with a page cache so
 * small that SQLite has already written pages into the database (rollback journal: a hot journal
 * is left) or the WAL. {@code committed}: in WAL mode, committed but never checkpointed, so the
 * only copy of the notes is in the {@code -wal} file.
 */
public final class CrashingWriter {

    static final int NOTES = 3000;

    private CrashingWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        boolean commit = args[1].equals("committed");
        Connection connection = UserDatabase.open(file);
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA cache_size = 1");
            statement.execute("PRAGMA wal_autocheckpoint = 0");
            statement.execute("BEGIN");
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO notes (body) VALUES (?)")) {
                for (int i = 0; i < NOTES; i++) {
                    insert.setString(1, "written before the crash " + i + " " + "y".repeat(200));
                    insert.executeUpdate();
                }
            }
            if (commit) {
                statement.execute("COMMIT");
            }
        }
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE); // until the SIGKILL; never closes the connection
    }
}
