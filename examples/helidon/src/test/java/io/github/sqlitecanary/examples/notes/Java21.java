package io.github.sqlitecanary.examples.notes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The Java that runs Helidon MP 4, which needs Java 21 or newer, while this build may run on
 * Java 17 (the root build does): {@code -Djava21.home} (passed on by the POM as
 * {@code it.java21.home}) if it names a Java 21+, else the Java running the tests if it is one.
 */
final class Java21 {

    private static final int REQUIRED = 21;
    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"?(\\d+)");

    /** Found once per test run: a skip is announced once, not per test. */
    private static Optional<Path> found;
    private static String missing;

    private Java21() {
    }

    /**
     * The {@code java} executable of a Java 21+. Without one the calling test is skipped (the reason
     * is printed once, loudly), or fails where {@code CI=true}: a CI run must not pass without
     * running Helidon at all.
     */
    static Path executable() {
        if (found == null) {
            found = find();
        }
        return found.orElseGet(() -> Assumptions.abort(missing));
    }

    private static Optional<Path> find() {
        List<String> rejected = new ArrayList<>();
        for (String home : candidates()) {
            Optional<Integer> version = featureVersion(Path.of(home));
            if (version.isPresent() && version.get() >= REQUIRED) {
                return Optional.of(Path.of(home, "bin", "java"));
            }
            rejected.add(home + " (" + version.map(v -> "Java " + v).orElse("no Java there") + ")");
        }
        String reason = "Helidon MP 4 needs Java " + REQUIRED + " or newer, and none was found: "
                + String.join(", ", rejected) + ". Run Maven on Java " + REQUIRED
                + "+ or pass -Djava21.home=/path/to/a/jdk-" + REQUIRED + ".";
        if ("true".equals(System.getenv("CI"))) {
            return Assertions.fail(reason + " (CI=true: not skipped)");
        }
        System.err.println();
        System.err.println("*".repeat(100));
        System.err.println("* SKIPPED: the Helidon MP integration tests. " + reason);
        System.err.println("*".repeat(100));
        System.err.println();
        missing = reason;
        return Optional.empty();
    }

    private static List<String> candidates() {
        List<String> homes = new ArrayList<>();
        String configured = System.getProperty("it.java21.home", "");
        if (!configured.isBlank()) {
            homes.add(configured);
        }
        String running = System.getProperty("java.home");
        if (!homes.contains(running)) {
            homes.add(running);
        }
        return homes;
    }

    /** The feature version (21, 25, ...) from the installation's {@code release} file. */
    private static Optional<Integer> featureVersion(Path home) {
        if (!Files.isExecutable(home.resolve("bin").resolve("java"))) {
            return Optional.empty();
        }
        if (home.equals(Path.of(System.getProperty("java.home")))) {
            return Optional.of(Runtime.version().feature());
        }
        try {
            Matcher version = JAVA_VERSION.matcher(Files.readString(home.resolve("release")));
            return version.find() ? Optional.of(Integer.parseInt(version.group(1))) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
