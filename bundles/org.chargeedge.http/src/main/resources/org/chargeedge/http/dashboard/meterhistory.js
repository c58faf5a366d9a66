// The meter values a charger sent over the last hours, read from the gateway's store
// (GET /api/chargers/ID/meter-values), for the charger page's chart before live values arrive.
import { api } from './app.js';

/**
 * The charger's readings (OCPP MeterValue objects with their connectorId) of the last 24 hours,
 * oldest first: its active power when it reports any, else its energy register. Empty when the
 * store does not run: the chart then shows the live values only.
 */
export async function meterHistory(id) {
  const base = '/api/chargers/' + encodeURIComponent(id) + '/meter-values?measurand=';
  try {
    for (const measurand of ['Power.Active.Import', 'Energy.Active.Import.Register']) {
      const history = await api(base + encodeURIComponent(measurand));
      if (history.meterValues.length > 0) return history.meterValues.slice().reverse();
    }
  } catch (e) {
    if (e.status !== 503) throw e;
  }
  return [];
}
