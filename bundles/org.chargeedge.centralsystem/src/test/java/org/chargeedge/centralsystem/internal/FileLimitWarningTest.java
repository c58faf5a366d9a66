package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FileLimitWarningTest {

    @Test
    void limitBelowTwoSocketsPerChargerIsNamedWithWhatToRaise() {
        String warning = CentralSystem.warnAboutFileLimit(2000, 1024);
        assertThat(warning).contains("1024", "4256", "maxConnections = 2000", "LimitNOFILE", "ulimit -n");
    }

    @Test
    void enoughFilesOrAnUnknownLimitSaysNothing() {
        assertThat(CentralSystem.warnAboutFileLimit(2000, 8192)).isNull();
        assertThat(CentralSystem.warnAboutFileLimit(2000, 2 * 2000 + CentralSystem.FILES_BESIDES_CHARGERS)).isNull();
        assertThat(CentralSystem.warnAboutFileLimit(2000, -1)).isNull();
    }

    @Test
    void theProcessLimitIsReadOnThisRuntime() {
        assertThat(CentralSystem.openFileLimit()).as("Linux runtime: the limit is known").isPositive();
    }
}
