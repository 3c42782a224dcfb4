package io.github.sqlitecanary.internal;

import java.util.List;
import java.util.Optional;

/**
 * What holds a database: its file system for the report, a finding that it can never persist,
 * and warnings that do not change the verdict.
 *
 * @param filesystem such as {@code ext4 on /data}, or {@code unknown}
 * @param neverPersists why the storage can never survive a redeploy; empty when it may persist
 * @param warnings findings that leave the verdict unchanged
 */
public record Storage(String filesystem, Optional<Finding> neverPersists, List<String> warnings) {

    /** Storage that can never keep the database across a redeploy. */
    public enum Kind {
        /** An overlay layer, tmpfs, an emptyDir, a configMap: wiped with the container or pod. */
        EPHEMERAL_FILESYSTEM,
        /** The database file alone is bind-mounted; its journal lands beside it, off the volume. */
        SINGLE_FILE_MOUNT
    }

    /** A storage finding that holds the application back, with its guidance. */
    public record Finding(Kind kind, String message) {
    }

    public Storage {
        warnings = List.copyOf(warnings);
    }

    public static Storage unknown() {
        return new Storage("unknown", Optional.empty(), List.of());
    }
}
