package org.chargeedge.ocpp.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import org.chargeedge.ocpp.v16.Action;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.Measurand;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.OcppEnum;
import org.chargeedge.ocpp.v16.Phase;
import org.chargeedge.ocpp.v16.ReadingContext;
import org.chargeedge.ocpp.v16.RegistrationStatus;
import org.chargeedge.ocpp.v16.Request;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.UnitOfMeasure;
import org.chargeedge.ocpp.v16.Location;
import org.chargeedge.ocpp.v16.ValueFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The shape of the message model: names, interfaces, action(), enumeration spellings, immutability. */
class MessageModelTest {

    @ParameterizedTest
    @EnumSource(Action.class)
    void eachActionHasARequestAndAConfirmationRecordAnsweringItsAction(Action action) throws Exception {
        assertThat(action.requestType().getSimpleName()).isEqualTo(action.name() + "Request");
        assertThat(action.confirmationType().getSimpleName()).isEqualTo(action.name() + "Confirmation");
        assertThat(action.requestType().isRecord()).isTrue();
        assertThat(action.confirmationType().isRecord()).isTrue();
        assertThat(((Request<?>) blank(action.requestType())).action()).isEqualTo(action);
        assertThat(((Confirmation) blank(action.confirmationType())).action()).isEqualTo(action);
        // the type argument of Request<C> is the confirmation of the same action
        assertThat(action.requestType().getGenericInterfaces()[0].getTypeName())
                .isEqualTo(Request.class.getName() + "<" + action.confirmationType().getName() + ">");
    }

    /** An instance with every component null / zero / false. */
    private static Object blank(Class<?> record) throws Exception {
        RecordComponent[] components = record.getRecordComponents();
        List<Object> args = new ArrayList<>();
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            args.add(types[i] == int.class ? (Object) 0 : types[i] == double.class ? (Object) 0.0
                    : types[i] == boolean.class ? (Object) false : null);
        }
        Constructor<?> c = record.getDeclaredConstructor(types);
        return c.newInstance(args.toArray());
    }

    @Test
    void enumerationConstantsCarryTheWireSpelling() {
        assertThat(RegistrationStatus.Accepted.value()).isEqualTo("Accepted");
        assertThat(Measurand.EnergyActiveImportRegister.value()).isEqualTo("Energy.Active.Import.Register");
        assertThat(Measurand.SoC.value()).isEqualTo("SoC");
        assertThat(ReadingContext.SamplePeriodic.value()).isEqualTo("Sample.Periodic");
        assertThat(Phase.L1_N.value()).isEqualTo("L1-N");
        assertThat(Phase.L3_L1.value()).isEqualTo("L3-L1");
        assertThat(UnitOfMeasure.Celsius.value()).isEqualTo("Celsius");
        assertThat(UnitOfMeasure.kWh.value()).isEqualTo("kWh");
        assertThat(Measurand.values()).hasSize(22);
        assertThat(Phase.values()).hasSize(10);
    }

    @ParameterizedTest
    @EnumSource(Measurand.class)
    void measurandSpellingsAreDistinctDottedNames(Measurand m) {
        assertThat(m.value().replace(".", "")).isEqualTo(m.name());
        assertThat(m).isInstanceOf(OcppEnum.class);
    }

    @Test
    void recordsKeepAnImmutableCopyOfTheirLists() {
        List<SampledValue> values = new ArrayList<>(List.of(SampledValue.of("1", Measurand.Voltage, UnitOfMeasure.V)));
        MeterValue mv = new MeterValue(java.time.Instant.EPOCH, values);
        values.clear();
        assertThat(mv.sampledValue()).hasSize(1);
        assertThat(mv).isEqualTo(new MeterValue(java.time.Instant.EPOCH, List.of(SampledValue.of("1", Measurand.Voltage, UnitOfMeasure.V))));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> mv.sampledValue().add(null))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(new MeterValue(java.time.Instant.EPOCH, null).sampledValue()).isNull();
    }

    @Test
    void sampledValueDefaultsAreThoseOfTheSpecification() {
        SampledValue bare = new SampledValue("1", null, null, null, null, null, null);
        assertThat(bare.contextOrDefault()).isEqualTo(ReadingContext.SamplePeriodic);
        assertThat(bare.formatOrDefault()).isEqualTo(ValueFormat.Raw);
        assertThat(bare.measurandOrDefault()).isEqualTo(Measurand.EnergyActiveImportRegister);
        assertThat(bare.locationOrDefault()).isEqualTo(Location.Outlet);
        assertThat(bare.unitOrDefault()).isEqualTo(UnitOfMeasure.Wh);
        SampledValue full = new SampledValue("1", ReadingContext.Trigger, ValueFormat.SignedData, Measurand.SoC, Phase.N,
                Location.EV, UnitOfMeasure.Percent);
        assertThat(List.of(full.contextOrDefault(), full.formatOrDefault(), full.measurandOrDefault(), full.locationOrDefault(),
                full.unitOrDefault())).containsExactly(ReadingContext.Trigger, ValueFormat.SignedData, Measurand.SoC,
                Location.EV, UnitOfMeasure.Percent);
    }
}
