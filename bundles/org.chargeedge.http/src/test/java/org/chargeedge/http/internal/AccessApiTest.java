package org.chargeedge.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Chargers' security profiles and passwords through the API, over the real central system's access control. */
class AccessApiTest extends RealSiteTestBase {

    private static final String KEY = "0123456789abcdef0123";

    @BeforeEach
    void withAccessControlAndCp1Accepted() throws Exception {
        site.access = centralSystem.access();
        HttpResponse<String> accepted = api.send(api.post("/api/access/accept", operator,
                "{\"chargePointId\":\"CP-1\"}"));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return new ObjectMapper().readTree(r.body());
    }

    @Test
    void aPasswordAndAProfileAreSetAndTheKeyIsNeverEchoed() throws Exception {
        HttpResponse<String> set = api.send(api.post("/api/access/password", operator,
                "{\"chargePointId\":\"CP-1\",\"authorizationKey\":\"" + KEY + "\"}"));
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(json(set).get("authorizationKeySet").asBoolean()).isTrue();
        assertThat(set.body()).doesNotContain(KEY);

        HttpResponse<String> profile = api.send(api.post("/api/access/profile", operator,
                "{\"chargePointId\":\"CP-1\",\"securityProfile\":1}"));
        assertThat(profile.statusCode()).as(profile.body()).isEqualTo(200);
        assertThat(json(profile).get("securityProfile").asInt()).isEqualTo(1);
        assertThat(json(profile).get("siteDefaultProfile").asBoolean()).isFalse();

        HttpResponse<String> back = api.send(api.post("/api/access/profile", operator,
                "{\"chargePointId\":\"CP-1\",\"securityProfile\":null}"));
        assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
        assertThat(json(back).get("siteDefaultProfile").asBoolean()).isTrue();
    }

    @Test
    void badInputIsRefusedWithAClearError() throws Exception {
        HttpResponse<String> shortKey = api.send(api.post("/api/access/password", operator,
                "{\"chargePointId\":\"CP-1\",\"authorizationKey\":\"short\"}"));
        assertThat(shortKey.statusCode()).isEqualTo(400);
        assertThat(json(shortKey).get("error").asText()).isNotBlank().doesNotContain("short\"");

        HttpResponse<String> word = api.send(api.post("/api/access/profile", operator,
                "{\"chargePointId\":\"CP-1\",\"securityProfile\":\"high\"}"));
        assertThat(word.statusCode()).isEqualTo(400);
        assertThat(json(word).get("error").asText()).contains("'securityProfile' must be");

        HttpResponse<String> seven = api.send(api.post("/api/access/profile", operator,
                "{\"chargePointId\":\"CP-1\",\"securityProfile\":7}"));
        assertThat(seven.statusCode()).isEqualTo(400);

        HttpResponse<String> profile3 = api.send(api.post("/api/access/provision", operator,
                "{\"chargePointId\":\"CP-1\",\"securityProfile\":3}"));
        assertThat(profile3.statusCode()).isEqualTo(400);
        assertThat(json(profile3).get("error").asText()).contains("1 or 2");

        HttpResponse<String> viewerTries = api.send(api.post("/api/access/password", viewer,
                "{\"chargePointId\":\"CP-1\",\"authorizationKey\":\"" + KEY + "\"}"));
        assertThat(viewerTries.statusCode()).isEqualTo(403);
        HttpResponse<String> nobody = api.send(api.post("/api/access/provision", null,
                "{\"chargePointId\":\"CP-1\",\"securityProfile\":1}"));
        assertThat(nobody.statusCode()).isEqualTo(401);
    }

    @Test
    void provisioningSendsAKeyToTheChargerAndAnswersWithItsOutcome() throws Exception {
        HttpResponse<String> ok = api.send(api.post("/api/access/provision", operator,
                "{\"chargePointId\":\"CP-1\",\"securityProfile\":1}"));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(json(ok).get("authorizationKeySet").asBoolean()).isTrue();
        assertThat(json(ok).get("securityProfile").asInt()).isEqualTo(1);
        JsonNode sent = charger.nextReceived();
        assertThat(sent.get(2).asText()).isEqualTo("ChangeConfiguration");
        assertThat(sent.get(3).get("key").asText()).isEqualTo("AuthorizationKey");
        // the generated key went to the charger only: never into the API's answer
        assertThat(ok.body()).doesNotContain(sent.get(3).get("value").asText());

        HttpResponse<String> unknown = api.send(api.post("/api/access/provision", operator,
                "{\"chargePointId\":\"CP-404\",\"securityProfile\":1}"));
        assertThat(unknown.statusCode()).isEqualTo(409);
        assertThat(json(unknown).get("error").asText()).contains("not a known charger");
        charger.close();
        HttpResponse<String> gone = api.send(api.post("/api/access/provision", operator,
                "{\"chargePointId\":\"CP-1\",\"securityProfile\":1}"));
        assertThat(gone.statusCode()).isEqualTo(409);
        assertThat(json(gone).get("error").asText()).contains("not connected");
    }

    @Test
    void aChargerThatRefusesTheKeyKeepsItsProfile() throws Exception {
        charger.answers.put("ChangeConfiguration", "{\"status\":\"Rejected\"}");
        HttpResponse<String> refused = api.send(api.post("/api/access/provision", operator,
                "{\"chargePointId\":\"CP-1\",\"securityProfile\":1}"));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(json(refused).get("error").asText()).contains("Rejected");
        assertThat(centralSystem.access().knownChargers()).noneMatch(k -> k.chargePointId().equals("CP-1")
                && k.authorizationKeySet());
    }
}
