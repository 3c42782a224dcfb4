package io.github.sqlitecanary.containers;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A small JUnit 5 harness over the {@code podman} command line: creates containers and volumes of
 * one local image, starts them, and removes every one of them after each test, failed or not.
 *
 * <p>Where Podman is missing or cannot run a container of the image, each test is skipped with the
 * reason (per test: a class-level abort is reported as zero tests); with the environment variable
 * {@code CI=true} that is a failure instead, so that CI cannot pass without having run them.
 * {@code .ci/setup-containers} installs Podman and builds the image.
 *
 * <p>Containers of {@link #create} get no network ({@code --network none}, so no port is ever
 * published); servers ({@link #createServer}) publish their ports on 127.0.0.1 only (anything else is
 * refused). Images are never pulled ({@code --pull=never}: no registry is involved); images built
 * with {@link #build} are removed after the test like containers and volumes. System properties: {@code canary.podman}
 * (the command, default {@code podman}), {@code canary.container.image} (default
 * {@code localhost/jre17}).
 */
final class Podman implements BeforeEachCallback, AfterEachCallback {

    static final String COMMAND = System.getProperty("canary.podman", "podman");
    static final String IMAGE = System.getProperty("canary.container.image", "localhost/jre17");
    static final String LABEL = "io.github.sqlitecanary.test=containers";

    private static volatile Optional<String> unavailable;
    private static volatile boolean told;

    private final String prefix = "canary-it-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private final List<String> containers = Collections.synchronizedList(new ArrayList<>());
    private final List<String> volumes = Collections.synchronizedList(new ArrayList<>());
    private final List<String> images = Collections.synchronizedList(new ArrayList<>());
    private int counter;

    /** The outcome of one podman command (or of one container run, through {@code start --attach}). */
    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
        }

        /** One line: the exit code and the end of the error output. */
        String brief() {
            String err = stderr.strip().replaceAll("\\s+", " ");
            return "exit " + exitCode + (err.isEmpty() ? "" : ": " + err.substring(Math.max(0, err.length() - 300)));
        }
    }

    /** A created container; {@link #start()} runs its command again, in the same container. */
    final class Container {
        private final String name;
        private final String description;

        private Container(String name, String description) {
            this.name = name;
            this.description = description;
        }

        String name() {
            return name;
        }

        /** The user and the options it was created with, for the test log. */
        String description() {
            return description;
        }

        /** Starts the container, waits for its command to end, returns its exit code and output. */
        Result start() {
            return podman(120, "start", "--attach", name);
        }

        /** Starts the container in the background (a server). */
        void startDetached() {
            check(podman(120, "start", name));
        }

        /** {@code podman restart}: the same container, its writable layer kept, the process new. */
        void restart() {
            check(podman(180, "restart", "--time", "30", name));
        }

        /** Stops the container (SIGTERM, then SIGKILL after 30 s). */
        void stop() {
            check(podman(120, "stop", "--time", "30", name));
        }

        boolean running() {
            return "true".equals(podman(60, "inspect", "--format", "{{.State.Running}}", name).stdout().strip());
        }

        /** The container's output so far (standard output and error). */
        String logs() {
            Result result = podman(60, "logs", name);
            return result.stdout() + result.stderr();
        }

        /** Runs a command inside the running container. */
        Result exec(String... command) {
            List<String> args = new ArrayList<>(List.of("exec", name));
            args.addAll(List.of(command));
            return check(podman(60, args.toArray(String[]::new)));
        }

        /** The host port published for {@code containerPort}/tcp (on 127.0.0.1). */
        int hostPort(int containerPort) {
            String mapping = check(podman(60, "port", name, containerPort + "/tcp")).stdout().strip();
            if (!mapping.startsWith("127.0.0.1:")) {
                fail("port " + containerPort + " of " + name + " is published beyond loopback: " + mapping);
            }
            return Integer.parseInt(mapping.substring(mapping.lastIndexOf(':') + 1));
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Optional<String> reason = unavailable();
        if (reason.isPresent()) {
            String message = "container test skipped: " + reason.get()
                    + " (run .ci/setup-containers as root to install Podman and build " + IMAGE + ")";
            if (!told) {
                told = true;
                System.err.println("[WARNING] " + message);
            }
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true and no container runtime: " + reason.get());
            }
            Assumptions.abort(message);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        // Containers first (with their anonymous volumes), then the named volumes they used.
        List<String> failures = new ArrayList<>();
        for (String container : List.copyOf(containers)) {
            Result result = podman(60, "rm", "--force", "--volumes", "--ignore", container);
            if (result.exitCode() != 0) {
                failures.add("podman rm " + container + ": " + result);
            }
        }
        containers.clear();
        for (String volume : List.copyOf(volumes)) {
            Result result = podman(60, "volume", "rm", "--force", volume);
            if (result.exitCode() != 0 && !result.stderr().contains("no such volume")) {
                failures.add("podman volume rm " + volume + ": " + result);
            }
        }
        volumes.clear();
        for (String image : List.copyOf(images)) {
            Result result = podman(120, "rmi", "--force", image);
            if (result.exitCode() != 0 && !result.stderr().contains("image not known")) {
                failures.add("podman rmi " + image + ": " + result);
            }
        }
        images.clear();
        if (!failures.isEmpty()) {
            fail("clean-up failed: " + failures);
        }
    }

    /** Empty when a container of the image can run here, else why not. Checked once per JVM. */
    static Optional<String> unavailable() {
        Optional<String> known = unavailable;
        if (known == null) {
            known = probe();
            unavailable = known;
        }
        return known;
    }

    private static Optional<String> probe() {
        Result version;
        try {
            version = exec(30, List.of(COMMAND, "--version"));
        } catch (UncheckedIOException e) {
            return Optional.of("no '" + COMMAND + "' command (" + e.getCause().getMessage() + ")");
        }
        if (version.exitCode() != 0) {
            return Optional.of("'" + COMMAND + " --version' failed: " + version.brief());
        }
        Result image = exec(60, List.of(COMMAND, "image", "exists", IMAGE));
        if (image.exitCode() != 0) {
            return Optional.of("no image " + IMAGE + " in " + version.stdout().strip() + " (" + image.brief() + ")");
        }
        Result run = exec(120, List.of(COMMAND, "run", "--rm", "--pull=never", "--network", "none", IMAGE,
                "java", "-version"));
        if (run.exitCode() != 0) {
            return Optional.of(version.stdout().strip() + " cannot run a container of " + IMAGE + ": " + run.brief());
        }
        return Optional.empty();
    }

    /** A named volume, removed after the test; {@code options} go to {@code podman volume create}. */
    String volume(String... options) {
        String name = prefix + "vol" + (++counter);
        List<String> args = new ArrayList<>(List.of("volume", "create", "--label", LABEL));
        args.addAll(List.of(options));
        args.add(name);
        volumes.add(name);
        check(podman(60, args.toArray(String[]::new)));
        return name;
    }

    /** Where a named volume's data lives on this host. */
    Path volumeMountpoint(String volume) {
        return Path.of(check(podman(60, "volume", "inspect", "--format", "{{.Mountpoint}}", volume)).stdout().strip());
    }

    /**
     * Creates (does not start) a container of the image as {@code user} (uid:gid) with the given
     * {@code podman create} options, running {@code command}.
     */
    Container create(String user, List<String> options, List<String> command) {
        String name = prefix + "ctr" + (++counter);
        List<String> args = new ArrayList<>(List.of("create", "--name", name, "--label", LABEL, "--pull=never",
                "--network", "none", "--user", user));
        args.addAll(options);
        args.add(IMAGE);
        args.addAll(command);
        containers.add(name);
        check(podman(60, args.toArray(String[]::new)));
        return new Container(name, "--user " + user + " " + String.join(" ", options));
    }

    /**
     * Creates (does not start) a container of {@code image} that runs the image's own entrypoint,
     * command and user, on the default network (for {@code -p 127.0.0.1::PORT} options), with the
     * given {@code podman create} options; {@code command}, if not empty, replaces the image's.
     */
    Container createServer(String image, List<String> options, List<String> command) {
        for (int i = 0; i < options.size(); i++) {
            String option = options.get(i);
            String published = option.equals("-p") || option.equals("--publish") ? options.get(i + 1)
                    : option.startsWith("--publish=") ? option.substring("--publish=".length()) : null;
            if (published != null && !published.startsWith("127.0.0.1:")) {
                fail("ports are published on 127.0.0.1 only, not " + published);
            }
            if (option.equals("-P") || option.equals("--publish-all") || option.startsWith("--network=host")
                    || (option.equals("--network") && "host".equals(options.get(i + 1)))) {
                fail("refused: " + option + " would listen beyond loopback");
            }
        }
        String name = prefix + "ctr" + (++counter);
        List<String> args = new ArrayList<>(List.of("create", "--name", name, "--label", LABEL, "--pull=never"));
        args.addAll(options);
        args.add(image);
        args.addAll(command);
        containers.add(name);
        check(podman(60, args.toArray(String[]::new)));
        return new Container(name, String.join(" ", options));
    }

    /**
     * Builds {@code context} with its own Dockerfile as {@code tag} ({@code podman build --pull=never
     * --build-arg …}); the tag is removed after the test.
     */
    void build(String tag, Path context, List<String> buildArgs) {
        List<String> args = new ArrayList<>(List.of("build", "--pull=never", "--quiet", "--label", LABEL, "--tag", tag));
        for (String buildArg : buildArgs) {
            args.addAll(List.of("--build-arg", buildArg));
        }
        args.add(context.toString());
        images.add(tag);
        check(podman(600, args.toArray(String[]::new)));
    }

    /** Runs {@code podman args…} and waits at most {@code seconds}. */
    static Result podman(int seconds, String... args) {
        List<String> command = new ArrayList<>();
        command.add(COMMAND);
        command.addAll(List.of(args));
        return exec(seconds, command);
    }

    static Result check(Result result) {
        if (result.exitCode() != 0) {
            fail("podman failed: " + result);
        }
        return result;
    }

    private static Result exec(int seconds, List<String> command) {
        try {
            Process process = new ProcessBuilder(command).start();
            process.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within " + seconds + " s");
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
