package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.Optional;

/** One sampled value (SampledValue). Absent optional fields take the defaults of the specification: see the {@code ...OrDefault()} methods. */
public record SampledValue(
        String value,
        @Optional ReadingContext context,
        @Optional ValueFormat format,
        @Optional Measurand measurand,
        @Optional Phase phase,
        @Optional Location location,
        @Optional UnitOfMeasure unit) {
    /** A raw value of {@code measurand} in {@code unit}, other fields absent. */
    public static SampledValue of(String value, Measurand measurand, UnitOfMeasure unit) {
        return new SampledValue(value, null, null, measurand, null, null, unit);
    }

    /** {@link #context()}, or Sample.Periodic when absent. */
    public ReadingContext contextOrDefault() {
        return context == null ? ReadingContext.SamplePeriodic : context;
    }

    /** {@link #format()}, or Raw when absent. */
    public ValueFormat formatOrDefault() {
        return format == null ? ValueFormat.Raw : format;
    }

    /** {@link #measurand()}, or Energy.Active.Import.Register when absent. */
    public Measurand measurandOrDefault() {
        return measurand == null ? Measurand.EnergyActiveImportRegister : measurand;
    }

    /** {@link #location()}, or Outlet when absent. */
    public Location locationOrDefault() {
        return location == null ? Location.Outlet : location;
    }

    /** {@link #unit()}, or Wh when absent. */
    public UnitOfMeasure unitOrDefault() {
        return unit == null ? UnitOfMeasure.Wh : unit;
    }
}
