package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChargePointIdsTest {

    private final ChargePointIds any = new ChargePointIds("/ocpp/", 10);

    @Test
    void acceptsAnUnreservedIdAfterThePrefix() {
        ChargePointIds.Check check = any.check("/ocpp/Az09-._~");
        assertThat(check.accepted()).isTrue();
        assertThat(check.chargePointId()).isEqualTo("Az09-._~");
        assertThat(check.refusal()).isNull();
    }

    @Test
    void ignoresTheQuery() {
        assertThat(any.check("/ocpp/CP1?auth=x&y=/z").chargePointId()).isEqualTo("CP1");
    }

    @Test
    void prefixWithoutTrailingSlashIsNormalised() {
        ChargePointIds ids = new ChargePointIds("/ocpp", 10);
        assertThat(ids.check("/ocpp/CP1").chargePointId()).isEqualTo("CP1");
        assertThat(ids.check("/ocppCP1").accepted()).isFalse();
    }

    @Test
    void rootPrefix() {
        ChargePointIds ids = new ChargePointIds("/", 10);
        assertThat(ids.check("/CP1").chargePointId()).isEqualTo("CP1");
        assertThat(ids.check("/ocpp/CP1").accepted()).isFalse();
    }

    @Test
    void lengthLimitIsInclusive() {
        assertThat(any.check("/ocpp/" + "a".repeat(10)).accepted()).isTrue();
        ChargePointIds.Check tooLong = any.check("/ocpp/" + "a".repeat(11));
        assertThat(tooLong.accepted()).isFalse();
        assertThat(tooLong.chargePointId()).isNull();
        assertThat(tooLong.refusal()).contains("longer than 10");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/ocpp/a b", "/ocpp/a%20b", "/ocpp/a/b", "/ocpp/a:b", "/ocpp/é", "/ocpp/a+b", "/ocpp/a@b",
        "/ocpp/a#b", "/ocpp/a!"})
    void refusesIdsThatAreNotUrlSafe(String path) {
        ChargePointIds.Check check = any.check(path);
        assertThat(check.accepted()).isFalse();
        assertThat(check.refusal()).contains("allowed are letters, digits and - . _ ~");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/ocpp/", "/ocpp/?x=1"})
    void refusesAnEmptyId(String path) {
        assertThat(any.check(path).refusal()).startsWith("no charge point id");
    }

    @Test
    void refusesPathsOutsideThePrefixAndNull() {
        assertThat(any.check("/other/CP1").refusal()).startsWith("path does not start with /ocpp/");
        assertThat(any.check("/ocp").accepted()).isFalse();
        assertThat(any.check(null).accepted()).isFalse();
        assertThat(any.check("").accepted()).isFalse();
    }

    @Test
    void idListsAreExactAndTrimmed() {
        assertThat(ChargePointIds.csv(" CP-A ,CP-B,, ")).containsExactlyInAnyOrder("CP-A", "CP-B");
        assertThat(ChargePointIds.csv("")).isEmpty();
    }

    @Test
    void anIdGivenByAnOperatorIsCheckedLikeOneInAPath() {
        assertThat(any.checkId("CP-1").chargePointId()).isEqualTo("CP-1");
        assertThat(any.checkId("CP 1").refusal()).contains("allowed are letters");
        assertThat(any.checkId("CP-1234567890").refusal()).contains("longer than 10");
        assertThat(any.checkId("bad\u001b[31m").refusal()).contains("\\x1b").doesNotContain("\u001b");
    }
}
