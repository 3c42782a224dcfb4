package io.github.sqlitecanary.examples.servers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The deploy cycle on TomEE. */
class TomEEIT extends DeployCycle {

    @Override
    AppServer boot(Path container, Path log, Map<String, String> canaryEnvironment) throws IOException {
        return TomEE.boot(container, log, canaryEnvironment);
    }

    @Test
    void databaseOnATmpfsIsAnEphemeralFilesystem() throws Exception {
        deployOntoAnEphemeralDisk();
    }

    @Override
    String directoryName() {
        return "tomee";
    }
}
