package io.github.sqlitecanary.storage;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Runs the canary's command line in a private mount namespace ({@code unshare -m}), after shell
 * commands that mount what a container platform would mount. The mounts vanish with the
 * namespace; files written to disk-backed directories stay for the test to inspect.
 *
 * <p>Scripts refer to the test's directory as {@code "$BASE"}.
 */
final class MountNamespace {

    private static final String CLI = "io.github.sqlitecanary.cli.CanaryCommand";

    /** What a run printed and left behind. */
    record Run(int exitCode, JsonObject report, String stderr) {

        String state() {
            return report.getString("state");
        }

        String filesystem() {
            return report.getString("filesystem");
        }

        String message() {
            return report.getString("message");
        }

        List<String> warnings() {
            return report.getJsonArray("warnings").getValuesAs(JsonString.class).stream()
                    .map(JsonString::getString).toList();
        }
    }

    private final Path base;

    MountNamespace(Path base) {
        this.base = base;
    }

    /**
     * Why mounts in a private namespace cannot be tested here, or empty if they can: tries a tmpfs
     * and an overlay whose layers live in {@code base}, as the tests will.
     */
    static Optional<String> whyUnavailable(Path base) throws IOException, InterruptedException {
        if (!System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")) {
            return Optional.of("mount namespaces exist only on Linux (os.name=" + System.getProperty("os.name") + ")");
        }
        String script = "set -e; cd \"$BASE\"; mkdir -p t l u w m; mount -t tmpfs probe t; "
                + "mount -t overlay overlay -o lowerdir=l,upperdir=u,workdir=w m";
        ProcessBuilder builder = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c", script)
                .redirectErrorStream(true).redirectOutput(base.resolve("probe.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().put("BASE", base.toString());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return Optional.of("cannot start unshare: " + e.getMessage());
        }
        int exit = waitFor(process);
        if (exit != 0) {
            return Optional.of("'unshare -m' with a tmpfs and an overlay mount failed with exit code " + exit + " ("
                    + Files.readString(base.resolve("probe.log")).strip() + "); these tests need root or "
                    + "CAP_SYS_ADMIN, as in CI");
        }
        return Optional.empty();
    }

    /** Runs {@code setup}, then the canary with {@code canaryArguments}, then {@code after}, in one namespace. */
    Run run(String setup, List<String> canaryArguments, String after) throws IOException, InterruptedException {
        return run(setup, "", canaryArguments, after);
    }

    /** As {@link #run(String, List, String)}, with options for the canary's JVM (words without spaces). */
    Run run(String setup, String jvmOptions, List<String> canaryArguments, String after)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "set -e\n" + setup + "\nset +e\n"
                + "\"$JAVA\" $JVM_OPTIONS -cp \"$CANARY_CLASSPATH\" " + CLI + " \"$@\"\n"
                + "status=$?\n" + after + "\nexit $status\n";
        List<String> command = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private",
                "sh", "-c", script, "sh"));
        command.addAll(canaryArguments);
        Path stdout = Files.createTempFile(base, "stdout", ".json");
        Path stderr = Files.createTempFile(base, "stderr", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().put("BASE", base.toString());
        builder.environment().put("JAVA", java);
        builder.environment().put("JVM_OPTIONS", jvmOptions);
        builder.environment().put("CANARY_CLASSPATH", System.getProperty("java.class.path"));
        int exit = waitFor(builder.start());
        String out = Files.readString(stdout, StandardCharsets.UTF_8);
        String err = Files.readString(stderr, StandardCharsets.UTF_8);
        if (!out.strip().startsWith("{")) {
            throw new AssertionError("the canary printed no JSON (exit code " + exit + ")\nstdout: " + out
                    + "\nstderr: " + err);
        }
        return new Run(exit, Json.createReader(new StringReader(out)).readObject(), err);
    }

    private static int waitFor(Process process) throws InterruptedException {
        // A guard against a hung child, not a timing assertion.
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the child process did not finish within five minutes");
        }
        return process.exitValue();
    }

    /**
     * Test directories inside the build directory rather than {@code java.io.tmpdir}: the volumes
     * these tests bind must be on a disk, and {@code /tmp} may be a tmpfs or a container's overlay.
     */
    static final class InBuildDirectory implements TempDirFactory {
        @Override
        public Path createTempDirectory(AnnotatedElementContext elementContext, ExtensionContext extensionContext)
                throws IOException {
            Path parent = Files.createDirectories(Path.of("target", "storage-mounts").toAbsolutePath());
            return Files.createTempDirectory(parent, "mounts").toRealPath();
        }
    }
}
