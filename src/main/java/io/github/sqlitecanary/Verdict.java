package io.github.sqlitecanary;

import io.github.sqlitecanary.DatabaseFacts.LockRead;
import io.github.sqlitecanary.DatabaseFacts.MarkerRead;
import io.github.sqlitecanary.internal.DatabaseFile;
import io.github.sqlitecanary.internal.DeployPlatform;
import io.github.sqlitecanary.internal.MarkerTable.Marker;
import io.github.sqlitecanary.internal.Storage;
import java.util.List;
import java.util.Optional;

/**
 * The verdict on one database, and the one write it needs: the only place where a start-up state
 * is decided. {@link #decide} reads like the state table of the contract, top to bottom; it
 * writes nothing, so {@code status} and {@code check} reach the same state by construction.
 *
 * @param state the state
 * @param message the guidance for a person
 * @param action what {@code check} writes to reach this state; {@code status} never writes
 */
record Verdict(CanaryState state, String message, Action action) {

    /** The write a verdict needs. */
    enum Action {
        NONE,
        /** Create the lock, then commit the marker (FIRST_BOOT, DATABASE_NOT_KEPT). */
        WRITE_FIRST_MARKER,
        /** Record in the marker that persistence was proven (the first VERIFIED). */
        RECORD_VERIFICATION
    }

    /** Whether the verdict is for a start that writes ({@code check}) or for {@code status}. */
    enum Mode {
        CHECK, STATUS
    }

    static Verdict decide(DatabaseFacts facts, CanaryOptions options, Mode mode) {
        String database = facts.database();
        boolean writes = mode == Mode.CHECK;
        if (facts.configurationProblem().isPresent()) {
            return down(CanaryState.MISCONFIGURED, Guidance.misconfigured(List.of(facts.configurationProblem().get())));
        }
        if (facts.dataSourceProblem().isPresent()) {
            return down(CanaryState.DATABASE_UNUSABLE,
                    Guidance.databaseUnusable(database, facts.dataSourceProblem().get()));
        }
        if (facts.ephemeralReason().isPresent()) {
            return down(CanaryState.EPHEMERAL_DATABASE,
                    Guidance.ephemeralDatabase(database, facts.ephemeralReason().get()));
        }
        switch (facts.directory()) {
            case MISSING:
                return down(CanaryState.VOLUME_MISSING, Guidance.volumeMissing(database, facts.file().getParent()));
            case NOT_A_DIRECTORY:
                return down(CanaryState.DATABASE_UNUSABLE,
                        Guidance.parentNotDirectory(database, facts.file().getParent()));
            default:
                break;
        }
        Optional<DeployPlatform> platform = facts.platform();
        if (options.filesystemCheck() && platform.isPresent() && platform.get().keepsNothingIn(facts.file().getParent())) {
            // A platform whose file system never persists (Heroku; Cloud Run off its volumes): judged at once.
            return down(CanaryState.EPHEMERAL_FILESYSTEM,
                    Guidance.platformKeepsNothing(database, facts.file().getParent(), platform.get()));
        }
        Optional<Storage.Finding> neverPersists = facts.storage().neverPersists();
        if (neverPersists.isPresent() && options.filesystemCheck()) {
            return down(neverPersists.get().kind() == Storage.Kind.SINGLE_FILE_MOUNT ? CanaryState.SINGLE_FILE_MOUNT
                    : CanaryState.EPHEMERAL_FILESYSTEM, neverPersists.get().message());
        }
        DatabaseFile file = facts.databaseFile();
        if (file.kind() == DatabaseFile.Kind.UNUSABLE) {
            return down(CanaryState.DATABASE_UNUSABLE, Guidance.databaseUnusable(database, file.problem()));
        }
        if (options.expectVerified() && file.kind() == DatabaseFile.Kind.ABSENT) {
            // A database verified before cannot be missing: never create a new one in its place.
            return down(CanaryState.DATABASE_LOST, Guidance.databaseLost(database, facts.file().getParent(), true));
        }
        if (facts.sqliteProblem().isPresent()) {
            return down(CanaryState.DATABASE_UNUSABLE, Guidance.sqliteUnusable(database, facts.sqliteProblem().get()));
        }
        MarkerRead read = facts.marker();
        if (read.problem().isPresent()) {
            return down(CanaryState.DATABASE_UNUSABLE, Guidance.databaseUnusable(database, read.problem().get()));
        }
        Optional<Marker> marker = read.marker();
        if (marker.isEmpty() && options.expectVerified()) {
            // Data loss, not a first boot: no lock, no marker, so no new empty database is ever blessed.
            return down(CanaryState.DATABASE_LOST, Guidance.databaseLost(database, facts.file().getParent(), false));
        }
        if (marker.isPresent() && marker.get().verified()) {
            // The quiet path: persistence was proven once; read only, no lock, no write, no fsync.
            return up(Guidance.verified(database, marker.get().firstBootAt(), options.expectVerified()), Action.NONE);
        }
        LockRead lock = facts.lock();
        if (lock.problem().isPresent()) {
            return down(CanaryState.LOCK_UNUSABLE, Guidance.lockUnusable(database, lock.problem().get()));
        }
        if (marker.isPresent()) {
            return unverified(facts, options, marker.get(), lock.present());
        }
        // No marker: a first boot, which must be able to write both the marker and the lock.
        if (facts.markerWriteProblem().isPresent()) {
            return down(CanaryState.DATABASE_UNUSABLE,
                    Guidance.databaseUnusable(database, facts.markerWriteProblem().get()));
        }
        if (facts.lockCreationProblem().isPresent()) {
            return down(CanaryState.LOCK_UNUSABLE, Guidance.lockUnusable(database, facts.lockCreationProblem().get()));
        }
        if (lock.present()) {
            return new Verdict(CanaryState.DATABASE_NOT_KEPT,
                    Guidance.databaseNotKept(database, facts.lockPath(), writes), Action.WRITE_FIRST_MARKER);
        }
        return new Verdict(CanaryState.FIRST_BOOT, Guidance.firstBoot(database, facts.lockPath(), writes),
                Action.WRITE_FIRST_MARKER);
    }

    /** A marker from an earlier boot that has not proven persistence yet. */
    private static Verdict unverified(DatabaseFacts facts, CanaryOptions options, Marker marker,
            boolean lockPresent) {
        String database = facts.database();
        Optional<String> deployId = facts.deployId();
        String firstDeployId = marker.firstBootDeployId();
        if (deployId.isPresent() && deployId.get().equals(firstDeployId)) {
            // A deploy identifier can only hold a verdict back, never grant one.
            return down(CanaryState.AWAITING_REDEPLOY,
                    Guidance.awaitingRedeploySameDeploy(database, facts.lockPath(), deployId.get(), lockPresent));
        }
        if (lockPresent) {
            return down(CanaryState.AWAITING_REDEPLOY, deployId.isPresent() && firstDeployId != null
                    ? Guidance.lockSurvivedRedeploy(database, facts.lockPath(), deployId.get(), firstDeployId)
                    : Guidance.awaitingRedeploy(database, facts.lockPath(), marker.firstBootAt()));
        }
        return up(Guidance.verified(database, marker.firstBootAt(), options.expectVerified()),
                Action.RECORD_VERIFICATION);
    }

    private static Verdict down(CanaryState state, String message) {
        return new Verdict(state, message, Action.NONE);
    }

    private static Verdict up(String message, Action action) {
        return new Verdict(CanaryState.VERIFIED, message, action);
    }
}
