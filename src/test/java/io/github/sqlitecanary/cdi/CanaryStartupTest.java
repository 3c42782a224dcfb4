package io.github.sqlitecanary.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sqlitecanary.CanaryReport;
import io.github.sqlitecanary.LogCapture;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.inject.ConfigExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.weld.environment.se.WeldContainer;
import org.jboss.weld.junit5.WeldInitiator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The startup bean in a real CDI container with a real MicroProfile Config. */
class CanaryStartupTest {

    @TempDir
    Path volume;

    @TempDir
    Path tmp;

    LogCapture log;
    List<LogRecord> logged;

    @BeforeEach
    void captureLog() {
        log = LogCapture.start();
        logged = log.records();
    }

    @AfterEach
    void releaseLog() {
        log.close();
    }

    Path database() {
        return volume.resolve("app.db");
    }

    void boot(SmallRyeConfigBuilder configBuilder, Consumer<CanaryStartup> whileRunning) {
        SmallRyeConfig config = configBuilder.addDefaultInterceptors().build();
        ClassLoader classLoader = Thread.currentThread().getContextClassLoader();
        ConfigProviderResolver.instance().registerConfig(config, classLoader);
        try (WeldContainer container = WeldInitiator.createWeld().addBeanClasses(CanaryStartup.class)
                .addExtensions(new ConfigExtension()).initialize()) {
            whileRunning.accept(container.select(CanaryStartup.class).get());
        } finally {
            ConfigProviderResolver.instance().releaseConfig(config);
        }
    }

    SmallRyeConfigBuilder properties(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "microprofile-config.properties", 100));
    }

    @Test
    void failStartupModeFailsTheBootWithTheGuidance() {
        SmallRyeConfigBuilder config = properties(Map.of(
                "sqlite.canary.database", database().toString(),
                "sqlite.canary.lock-dir", tmp.resolve("canary").toString(),
                "sqlite.canary.on-failure", "fail-startup"));

        RuntimeException failure = assertThrows(RuntimeException.class, () -> boot(config, startup -> { }));

        Throwable cause = failure;
        while (!(cause instanceof PersistenceCanaryException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        assertTrue(cause instanceof PersistenceCanaryException, () -> "guidance exception expected: " + failure);
        assertTrue(cause.getMessage().contains("FIRST_BOOT: First boot of " + database()), cause.getMessage());
    }

    @Test
    void failStartupModeLetsAVerifiedDatabaseBoot() throws Exception {
        SmallRyeConfigBuilder config = properties(Map.of(
                "sqlite.canary.database", database().toString(),
                "sqlite.canary.lock-dir", tmp.resolve("canary").toString(),
                "sqlite.canary.on-failure", "fail-startup"));
        assertThrows(RuntimeException.class, () -> boot(config, startup -> { }));
        Files.walk(tmp.resolve("canary")).sorted((a, b) -> b.compareTo(a)).forEach(path -> path.toFile().delete());

        boot(properties(Map.of(
                "sqlite.canary.database", database().toString(),
                "sqlite.canary.lock-dir", tmp.resolve("canary").toString(),
                "sqlite.canary.on-failure", "fail-startup")),
                startup -> assertTrue(startup.current().orElseThrow().ready()));
    }

    @Test
    void disabledCanaryLeavesNoFileBehind() {
        boot(properties(Map.of(
                "sqlite.canary.enabled", "false",
                "sqlite.canary.database", database().toString(),
                "sqlite.canary.lock-dir", tmp.resolve("canary").toString())),
                startup -> assertEquals("DISABLED", startup.current().orElseThrow().reports().get(0).state().name()));

        assertFalse(Files.exists(database()));
        assertFalse(Files.exists(tmp.resolve("canary")));
    }

    @Test
    void environmentVariablesOverrideTheApplicationsProperties() {
        Path fromEnvironment = volume.resolve("from-env.db");
        SmallRyeConfigBuilder config = properties(Map.of(
                "sqlite.canary.database", database().toString(),
                "sqlite.canary.lock-dir", tmp.resolve("canary").toString()))
                .withSources(new EnvConfigSource(Map.of("SQLITE_CANARY_DATABASE", fromEnvironment.toString(),
                        "SQLITE_CANARY_DEPLOY_ID", "pod-1234"), 300));

        boot(config, startup -> assertEquals(fromEnvironment.toString(),
                startup.current().orElseThrow().reports().get(0).database()));

        assertTrue(Files.exists(fromEnvironment));
        assertFalse(Files.exists(database()));
    }

    @Test
    void devProfileCanTurnTheCanaryOffForLocalRuns() {
        SmallRyeConfigBuilder config = properties(Map.of(
                "sqlite.canary.database", database().toString(),
                "sqlite.canary.lock-dir", tmp.resolve("canary").toString(),
                "%dev.sqlite.canary.enabled", "false"))
                .withProfile("dev");

        boot(config, startup -> assertTrue(startup.current().orElseThrow().ready()));

        assertFalse(Files.exists(database()));
    }

    @Test
    void downVerdictIsLoggedOnceAtStartWithTheFullGuidanceAndAgainWhenItChanges() throws Exception {
        SmallRyeConfigBuilder config = properties(Map.of(
                "sqlite.canary.database", database().toString(),
                "sqlite.canary.lock-dir", tmp.resolve("canary").toString()));
        boot(config, startup -> { });
        Files.walk(tmp.resolve("canary")).sorted((a, b) -> b.compareTo(a)).forEach(path -> path.toFile().delete());
        logged.clear();

        boot(properties(Map.of(
                "sqlite.canary.database", database().toString(),
                "sqlite.canary.lock-dir", tmp.resolve("canary").toString())), startup -> {
                    startup.current();
                    startup.current();
                    assertEquals(1, logged.size(), "UP logged once at start, not on every probe");
                    try {
                        Files.delete(database());
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                    startup.current();
                    startup.current();
                });

        assertEquals(2, logged.size(), () -> "start and one change: " + logged.stream().map(LogRecord::getMessage).toList());
        assertEquals(Level.INFO, logged.get(0).getLevel());
        assertTrue(logged.get(0).getMessage().contains("VERIFIED"));
        assertEquals(Level.WARNING, logged.get(1).getLevel());
        assertTrue(logged.get(1).getMessage().contains("DATABASE_VANISHED"));
    }

    @Test
    void firstBootGuidanceIsLoggedAsAWarning() {
        boot(properties(Map.of(
                "sqlite.canary.database", database().toString(),
                "sqlite.canary.lock-dir", tmp.resolve("canary").toString())), startup -> { });

        assertEquals(1, logged.size());
        assertEquals(Level.WARNING, logged.get(0).getLevel());
        assertTrue(logged.get(0).getMessage().contains("FIRST_BOOT (DOWN) " + database() + ": First boot"),
                logged.get(0).getMessage());
    }

    @Test
    void escapedCommaInTheApplicationsPropertiesIsPartOfOneDatabaseAsMicroProfileListsHaveIt() {
        Path withComma = volume.resolve("a,b.db");

        boot(properties(Map.of(
                "sqlite.canary.database", volume.resolve("a\\,b.db").toString(),
                "sqlite.canary.lock-dir", tmp.resolve("canary").toString())), startup -> {
                    List<io.github.sqlitecanary.CanaryReport> reports = startup.current().orElseThrow().reports();
                    assertEquals(1, reports.size(), reports::toString);
                    assertEquals(withComma.toString(), reports.get(0).database());
                });

        assertTrue(Files.exists(withComma));
    }

    @Test
    void configurationThatThrowsIsADownVerdictInReadinessModeNotAFailedDeployment() {
        SmallRyeConfigBuilder config = properties(Map.of("sqlite.canary.database", database().toString()))
                .withSources(new ThrowingConfigSource("sqlite.canary.busy-timeout"));

        boot(config, startup -> {
            CanaryStartup.Result result = startup.current().orElseThrow();
            assertFalse(result.ready());
            assertTrue(result.reports().get(0).message().contains("unexpected error (IllegalStateException"),
                    result.reports().get(0).message());
        });

        assertTrue(logged.stream().anyMatch(r -> r.getLevel() == Level.WARNING
                && r.getMessage().contains("unexpected error")), "the failure was not logged");
        assertFalse(Files.exists(database()));
    }

    @Test
    void concurrentProbesAgreeOnAVanishedDatabaseAndLogTheChangeOnce() throws Exception {
        Map<String, String> settings = Map.of("sqlite.canary.database", database().toString(),
                "sqlite.canary.lock-dir", tmp.resolve("canary").toString());
        boot(properties(settings), startup -> { });
        Files.walk(tmp.resolve("canary")).sorted((a, b) -> b.compareTo(a)).forEach(path -> path.toFile().delete());

        boot(properties(settings), startup -> {
            assertEquals("VERIFIED", startup.current().orElseThrow().reports().get(0).state().name());
            logged.clear();
            try {
                Files.delete(database());
                ExecutorService probes = Executors.newFixedThreadPool(8);
                List<Future<String>> seen = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    seen.add(probes.submit(() -> startup.current().orElseThrow().reports().get(0).state().name()));
                }
                probes.shutdown();
                for (Future<String> state : seen) {
                    assertEquals("DATABASE_VANISHED", state.get());
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });

        assertEquals(1, logged.stream().filter(r -> r.getMessage().contains("DATABASE_VANISHED")).count(),
                () -> "logged: " + logged.stream().map(LogRecord::getMessage).toList());
    }

    /** A configuration source that fails for one key, as a broken custom source would. */
    static final class ThrowingConfigSource implements ConfigSource {
        private final String key;

        ThrowingConfigSource(String key) {
            this.key = key;
        }

        @Override
        public Set<String> getPropertyNames() {
            return Set.of(key);
        }

        @Override
        public String getValue(String propertyName) {
            if (propertyName.equals(key)) {
                throw new IllegalStateException("the vault is sealed");
            }
            return null;
        }

        @Override
        public String getName() {
            return "throwing";
        }

        @Override
        public int getOrdinal() {
            return 500;
        }
    }
}
