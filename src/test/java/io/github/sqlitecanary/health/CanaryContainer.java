package io.github.sqlitecanary.health;

import io.github.sqlitecanary.cdi.CanaryStartup;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.inject.ConfigExtension;
import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import jakarta.json.JsonObject;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.jboss.weld.junit5.WeldInitiator;

/**
 * One boot of a real CDI container (Weld) with the canary's beans, a real MicroProfile Config
 * (SmallRye Config) and a real MicroProfile Health implementation (SmallRye Health): what an
 * application server does when it deploys a WAR that holds the canary.
 */
final class CanaryContainer {

    private CanaryContainer() {
    }

    /** Configuration as the server would assemble it: properties, environment variables, a profile. */
    record Settings(Map<String, String> properties, Map<String, String> environment, String profile) {
        static Settings properties(Map<String, String> properties) {
            return new Settings(properties, Map.of(), null);
        }
    }

    /** The readiness endpoint's answer: HTTP 503 when DOWN, 200 when UP, and its JSON body. */
    record Readiness(boolean down, JsonObject payload) {
        int httpStatus() {
            return down ? 503 : 200;
        }

        JsonObject canaryCheck() {
            return payload.getJsonArray("checks").stream().map(JsonObject.class::cast)
                    .filter(check -> check.getString("name").equals(ReadinessCheck.NAME)).findFirst()
                    .orElseThrow(() -> new AssertionError("no check named " + ReadinessCheck.NAME + " in " + payload));
        }

        String state() {
            return canaryCheck().getJsonObject("data").getString("state");
        }
    }

    /** Boots the container, lets {@code whileRunning} look at it, and shuts it down: one deploy. */
    static void boot(Settings settings, Consumer<WeldContainer> whileRunning) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(settings.properties(), "microprofile-config.properties", 100))
                .withSources(new EnvConfigSource(settings.environment(), 300));
        if (settings.profile() != null) {
            builder.withProfile(settings.profile());
        }
        SmallRyeConfig config = builder.build();
        ClassLoader classLoader = Thread.currentThread().getContextClassLoader();
        ConfigProviderResolver.instance().registerConfig(config, classLoader);
        try {
            Weld weld = WeldInitiator.createWeld()
                    .addBeanClasses(CanaryStartup.class, ReadinessCheck.class)
                    .addPackages(true, SmallRyeHealthReporter.class)
                    .addExtensions(new ConfigExtension());
            try (WeldContainer container = weld.initialize()) {
                whileRunning.accept(container);
            }
        } finally {
            ConfigProviderResolver.instance().releaseConfig(config);
        }
    }

    /** Boots, asks the readiness endpoint once, shuts down. */
    static Readiness deployAndProbe(Settings settings) {
        Readiness[] answer = new Readiness[1];
        boot(settings, container -> answer[0] = probe(container));
        return answer[0];
    }

    static Readiness probe(WeldContainer container) {
        SmallRyeHealth health = container.select(SmallRyeHealthReporter.class).get().getReadiness();
        return new Readiness(health.isDown(), health.getPayload());
    }
}
