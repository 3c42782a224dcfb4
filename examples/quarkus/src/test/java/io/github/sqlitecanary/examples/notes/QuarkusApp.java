package io.github.sqlitecanary.examples.notes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One boot of the packaged notes application as a child process, launched as production launches
 * it: {@code java -jar target/quarkus-app/quarkus-run.jar}, listening on a free loopback port,
 * configured through environment variables as an operator would. Closing it stops the process tree.
 */
final class QuarkusApp implements AutoCloseable {

    /** Generous: two shared cores, and other builds running beside this one. */
    static final Duration BOOT_DEADLINE = Duration.ofMinutes(4);
    static final String READINESS = "/q/health/ready";

    private static final Path RUN_JAR = Path.of(System.getProperty("quarkus.run.jar", "target/quarkus-app/quarkus-run.jar"));

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Process process;
    private final Path log;
    private final int port;

    private QuarkusApp(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts the application. {@code tmp} is its temporary directory ({@code java.io.tmpdir}), the
     * part of the file system that a redeploy wipes; its console output goes to {@code log}.
     */
    static QuarkusApp start(Path tmp, Path log, Map<String, String> canaryEnvironment) throws IOException {
        Files.createDirectories(tmp);
        Files.createDirectories(log.getParent());
        int port = freeLoopbackPort();
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Djava.io.tmpdir=" + tmp,
                // Loopback only here; the image listens on 0.0.0.0 (see the Dockerfile).
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-jar", RUN_JAR.toAbsolutePath().toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(tmp.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // Only what the test sets reaches the canary, not what the shell running the build has.
        builder.environment().keySet().removeIf(name -> name.startsWith("SQLITE_CANARY_"));
        builder.environment().putAll(canaryEnvironment);
        return new QuarkusApp(builder.start(), log, port);
    }

    /**
     * Polls the readiness URL until the canary's own check answers with a verdict. Quarkus opens
     * its HTTP port only after the CDI container has started, so the first answer already carries
     * the check: an answer without it means Quarkus did not discover the canary's beans (they come
     * from the jar's META-INF/beans.xml; without it the check is silently missing and readiness UP).
     */
    Readiness awaitCanaryVerdict() throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(BOOT_DEADLINE);
        Readiness last = null;
        while (Instant.now().isBefore(deadline)) {
            ensureAlive();
            try {
                last = readiness();
                if (last.canary().isEmpty() && last.body().startsWith("{")) {
                    throw new AssertionError("Quarkus answers " + READINESS + " without the " + Readiness.CHECK
                            + " check: its beans were not discovered. " + last + "\n" + tail());
                }
                if (last.canary().isPresent() && !"STARTING".equals(last.data().path("state").asText())) {
                    return last;
                }
            } catch (IOException notListeningYet) {
                // The HTTP listener is not up yet: poll again.
            }
            TimeUnit.MILLISECONDS.sleep(300);
        }
        throw new AssertionError("Quarkus gave no canary verdict within " + BOOT_DEADLINE
                + "; last readiness: " + last + "\n" + tail());
    }

    /** Waits for the process to end by itself (a failed start); returns its exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(BOOT_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("Quarkus still runs after " + BOOT_DEADLINE + "\n" + tail());
        }
        return process.exitValue();
    }

    Readiness readiness() throws IOException, InterruptedException {
        HttpResponse<String> response = get(READINESS);
        return new Readiness(response.statusCode(), response.body());
    }

    String readinessUrl() {
        return uri(READINESS).toString();
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postJson(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The application's console output so far. */
    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void ensureAlive() {
        if (!process.isAlive()) {
            throw new AssertionError("Quarkus exited with " + process.exitValue() + "\n" + tail());
        }
    }

    String tail() {
        String text = log();
        return "--- end of " + log + " ---\n" + text.substring(Math.max(0, text.length() - 6000));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Stops the application and anything it started: SIGTERM first, then a kill. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                handle.destroyForcibly();
            }
        }
        process.waitFor(30, TimeUnit.SECONDS);
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
