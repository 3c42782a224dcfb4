package io.github.sqlitecanary;

import io.github.sqlitecanary.internal.FileSystemProbe;
import io.github.sqlitecanary.internal.FirstBootStep;
import io.github.sqlitecanary.internal.LocalSystem;
import java.nio.file.Path;

/**
 * The application's start in a child JVM that halts at one step of the first boot, as a crash
 * (a kill, a power cut) there would: {@code HaltingCheck STEP DATABASE LOCK_DIR}. Prints the
 * verdict as the CLI's JSON does when it gets that far.
 */
public final class HaltingCheck {

    /** The exit code of a halt at the step, so that a test can tell it from any other end. */
    public static final int HALTED = 86;

    private HaltingCheck() {
    }

    public static void main(String[] args) {
        FirstBootStep haltAt = FirstBootStep.valueOf(args[0]);
        CanaryOptions options = CanaryOptions.builder().database(args[1]).lockDirectory(Path.of(args[2]))
                .filesystemCheck(false).build();
        CanaryReport report = new PersistenceCanary(options, FileSystemProbe.ofThisMachine(), name -> null,
                Path.of("").toAbsolutePath(), LocalSystem.ofThisMachine(), step -> {
                    if (step == haltAt) {
                        Runtime.getRuntime().halt(HALTED);
                    }
                }).check().get(0);
        System.out.println("{\"state\":\"" + report.state() + "\"}");
    }
}
