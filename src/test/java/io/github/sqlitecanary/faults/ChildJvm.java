package io.github.sqlitecanary.faults;

import static org.junit.jupiter.api.Assertions.fail;

import io.github.sqlitecanary.HaltingCheck;
import io.github.sqlitecanary.internal.FirstBootStep;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the canary's command line in a real child JVM, as a container entrypoint would, optionally
 * inside a private mount namespace. Every child is killed when its test is done with it.
 */
final class ChildJvm {

    static final long TIMEOUT_SECONDS = 90;
    private static final Pattern JSON_STATE = Pattern.compile("\"state\":\"([A-Z_]+)\"");

    /** What a finished child printed and returned. */
    record Result(int exitCode, String stdout, String stderr) {

        /** The state of the first database, from {@code --json} output. */
        String state() {
            Matcher matcher = JSON_STATE.matcher(stdout);
            if (!matcher.find()) {
                fail("no state in the child's output (exit " + exitCode + "):\n" + stdout + "\n" + stderr);
            }
            return matcher.group(1);
        }

        String output() {
            return stdout + stderr;
        }
    }

    private ChildJvm() {
    }

    /** {@code java -cp <test class path> [options] CanaryCommand <args>}. */
    static List<String> canaryCommand(List<String> jvmOptions, List<String> cliArgs) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // A child lives for well under a second: skip the optimising compiler.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(jvmOptions);
        command.add("io.github.sqlitecanary.cli.CanaryCommand");
        command.addAll(cliArgs);
        return command;
    }

    /** {@code java -cp <test class path> HaltingCheck STEP DATABASE LOCK_DIR}: a start that halts at the step. */
    static List<String> haltingCheck(FirstBootStep step, Path database, Path lockDirectory) {
        List<String> command = canaryCommand(List.of(), List.of(step.name(), database.toString(),
                lockDirectory.toString()));
        command.set(command.indexOf("io.github.sqlitecanary.cli.CanaryCommand"), HaltingCheck.class.getName());
        return command;
    }

    /**
     * Wraps a command in {@code unshare -m}: the script runs as root in a private mount namespace
     * (its mounts vanish with it) and ends by running the command, passed as {@code "$@"}.
     */
    static List<String> inPrivateMountNamespace(String script, List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                script, "sh"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Aborts the test, loudly, where this machine cannot mount inside a private mount namespace. */
    static void assumeMountNamespaces(Path scratch) throws IOException, InterruptedException {
        Path probe = Files.createDirectories(scratch.resolve("mount-probe"));
        List<String> command = inPrivateMountNamespace("mount -t tmpfs -o size=64k tmpfs \"$1\"",
                List.of(probe.toString()));
        Result result;
        try {
            result = run(command, scratch);
        } catch (IOException e) {
            Assumptions.abort("SKIPPED: cannot run unshare (" + e.getMessage() + "); this test needs a private "
                    + "mount namespace with CAP_SYS_ADMIN (root in a privileged container)");
            return;
        }
        Assumptions.assumeTrue(result.exitCode() == 0, () -> "SKIPPED: cannot mount inside a private mount "
                + "namespace (unshare -m + mount exit " + result.exitCode() + ": " + result.stderr().strip()
                + "); this test needs CAP_SYS_ADMIN (root in a privileged container)");
    }

    /** Starts a command; its output goes to files in {@code scratch}. Close the child to kill it. */
    static Child start(List<String> command, Path scratch) throws IOException {
        Files.createDirectories(scratch);
        Path stdout = Files.createTempFile(scratch, "child-", ".out");
        Path stderr = Files.createTempFile(scratch, "child-", ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        // Non-ASCII paths need a UTF-8 file-name encoding in the child, whatever the machine's locale.
        builder.environment().put("LC_ALL", "C.UTF-8");
        return new Child(builder.start(), stdout, stderr);
    }

    /** Runs a command to its end, with a deadline; kills it (and its children) whatever happens. */
    static Result run(List<String> command, Path scratch) throws IOException, InterruptedException {
        try (Child child = start(command, scratch)) {
            return child.await();
        }
    }

    /** A running child process. */
    record Child(Process process, Path stdout, Path stderr) implements AutoCloseable {

        Result await() throws IOException, InterruptedException {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                fail("the child did not end within " + TIMEOUT_SECONDS + " s: " + process.info().commandLine());
            }
            return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        }

        /** SIGKILL, as the kernel's OOM killer or a platform's hard stop would. */
        void kill() throws InterruptedException {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                fail("the child survived SIGKILL for " + TIMEOUT_SECONDS + " s");
            }
        }

        @Override
        public void close() throws InterruptedException {
            kill();
        }
    }
}
