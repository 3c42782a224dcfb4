package io.github.sqlitecanary;

import io.github.sqlitecanary.internal.DatabaseFile;
import io.github.sqlitecanary.internal.DeployPlatform;
import io.github.sqlitecanary.internal.MarkerTable.Marker;
import io.github.sqlitecanary.internal.Storage;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the canary knows of one database, read without writing anything. {@link Verdict#decide}
 * asks for each fact in the order of the state table, and a fact is read only when it is asked
 * for: a database on a missing volume is never opened, one on tmpfs never read.
 */
interface DatabaseFacts {

    /** Where the directory of the database is. */
    enum Directory {
        PRESENT, MISSING, NOT_A_DIRECTORY
    }

    /** The marker as read, or why it could not be read. */
    record MarkerRead(Optional<Marker> marker, Optional<String> problem) {

        static MarkerRead found(Optional<Marker> marker) {
            return new MarkerRead(marker, Optional.empty());
        }

        static MarkerRead unreadable(String problem) {
            return new MarkerRead(Optional.empty(), Optional.of(problem));
        }
    }

    /** The lock as read, or why it cannot be used safely. */
    record LockRead(boolean present, Optional<String> problem) {

        static LockRead of(boolean present) {
            return new LockRead(present, Optional.empty());
        }

        static LockRead unusable(String problem) {
            return new LockRead(false, Optional.of(problem));
        }
    }

    /** The database as configured, safe to show (no query string). */
    String database();

    /** Why the configured value names no usable database (a configuration error); empty if it does. */
    Optional<String> configurationProblem();

    /** Why the configured DataSource gives no database to judge (not a configuration error). */
    Optional<String> dataSourceProblem();

    /** Why the database cannot outlive the process (in memory, temporary); empty for a file. */
    Optional<String> ephemeralReason();

    /** The database file's real path (every link and {@code ..} resolved). */
    Path file();

    Directory directory();

    Storage storage();

    DatabaseFile databaseFile();

    /** Why SQLite cannot be used in this process (no driver, no native library). */
    Optional<String> sqliteProblem();

    MarkerRead marker();

    LockRead lock();

    Path lockPath();

    /** Why a first boot could not write the marker into the database (read-only, permissions). */
    Optional<String> markerWriteProblem();

    /** Why a first boot could not create the lock (its directory cannot be made or written). */
    Optional<String> lockCreationProblem();

    /**
     * The deploy identifier of this boot, if any: the configured one, else the platform's own
     * deploy identity unless {@code deploy-id=none}.
     */
    Optional<String> deployId();

    /** The deploy platform this process runs on, where one is recognised. */
    Optional<DeployPlatform> platform();

    /** Findings about the configuration of this database that leave the verdict unchanged. */
    List<String> locationWarnings();
}
