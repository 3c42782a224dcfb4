package io.github.sqlitecanary.internal;

import io.github.sqlitecanary.CanaryState;
import java.util.List;
import java.util.Optional;

/**
 * What holds a database: its file system for the report, a finding that it can never persist,
 * and warnings that do not change the verdict.
 *
 * @param filesystem such as {@code ext4 on /data}, or {@code unknown}
 * @param neverPersists {@link CanaryState#SINGLE_FILE_MOUNT} or {@link CanaryState#EPHEMERAL_FILESYSTEM}
 *        with its guidance; empty when the storage may persist
 * @param warnings findings that leave the verdict unchanged
 */
public record Storage(String filesystem, Optional<Finding> neverPersists, List<String> warnings) {

    /** A storage judgement that holds the application back. */
    public record Finding(CanaryState state, String message) {
    }

    public Storage {
        warnings = List.copyOf(warnings);
    }

    public static Storage unknown() {
        return new Storage("unknown", Optional.empty(), List.of());
    }
}
