package io.github.sqlitecanary.internal;

import java.sql.SQLException;
import java.util.Locale;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * What an SQLite failure means for the person reading the verdict, classified by SQLite's result
 * code, never by the driver's message text, and never showing the raw {@code [SQLITE_…]} text.
 */
public final class SqliteErrors {

    private SqliteErrors() {
    }

    /**
     * One sentence fragment, such as "it is not an SQLite database".
     *
     * @param busyTimeoutMillis the busy timeout in force, for a database that stayed locked
     * @param table the marker table, for a database that cannot take it
     */
    public static String describe(SQLException e, int busyTimeoutMillis, String table) {
        SQLiteErrorCode code = e instanceof SQLiteException sqlite ? sqlite.getResultCode() : null;
        if (code == null) {
            return "SQLite failed: " + withoutCode(e.getMessage());
        }
        switch (code) {
            case SQLITE_READONLY_ROLLBACK:
            case SQLITE_READONLY_RECOVERY:
                return "a crash left a hot journal that must be rolled back, and this process may not write the "
                        + "database or its directory to do so";
            default:
                break;
        }
        switch (code.code & 0xff) {
            case 5: // BUSY
            case 6: // LOCKED
                return "it stayed locked by another connection for longer than " + ConfigKeys.BUSY_TIMEOUT + "="
                        + busyTimeoutMillis + " ms";
            case 8: // READONLY
                return "it is read-only (the file, its directory or its volume), and the canary must write its "
                        + "marker table \"" + table + "\" into it on the first boot";
            case 11: // CORRUPT
                return "it is damaged (SQLite finds the database disk image malformed); restore it from a backup";
            case 26: // NOTADB
                return "it is not an SQLite database (or it is encrypted)";
            case 10: // IOERR
                return "SQLite got an I/O error reading or writing it (" + plain(code)
                        + "); check the volume and the kernel log";
            case 3: // PERM
                return "the operating system denied SQLite access to it (permission denied)";
            case 23: // AUTH
                return "SQLite refused access to it (authorization denied)";
            case 13: // FULL
                return "the disk is full (free space on the volume that holds it)";
            case 14: // CANTOPEN
                return "SQLite cannot open it or create its journal beside it (check the permissions of the file "
                        + "and its directory)";
            case 7: // NOMEM
                return "SQLite ran out of memory";
            case 15: // PROTOCOL
                return "SQLite's file locking failed (a file system without working locks?)";
            default:
                return "SQLite failed (" + plain(code) + ")";
        }
    }

    /** A result code's name as words: {@code ioerr short read}. */
    private static String plain(SQLiteErrorCode code) {
        return code.name().toLowerCase(Locale.ROOT).replaceFirst("^sqlite_", "").replace('_', ' ');
    }

    /** The driver's message without its bracketed result code. */
    private static String withoutCode(String message) {
        return String.valueOf(message).replaceAll("\\[SQLITE_[A-Z_]+\\]\\s*", "").trim();
    }
}
