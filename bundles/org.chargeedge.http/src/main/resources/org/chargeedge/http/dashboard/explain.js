// What the gateway and the chargers report, in words an installer can act on.

/** A refused connection (ChargerAccess.Refusal.reason is already in words): a title and what to check. */
export function refusal(reason) {
  const r = String(reason || '');
  const rules = [
    [/^path /, 'Wrong OCPP URL',
      'The charger connects to a path the gateway does not serve. Check the OCPP server URL in the charger:'
      + ' ws://GATEWAY:9000/ocpp/CHARGE_POINT_ID, OCPP 1.6J.'],
    [/unknown charge point id/, 'Unknown charge point id',
      'The gateway does not know this id. If it is one of the site\'s chargers, accept it below (or open the'
      + ' commissioning window); if not, look for a typo in the charge point id set in the charger.'],
    [/subprotocol/, 'OCPP version not offered',
      'The charger did not offer OCPP 1.6 JSON (subprotocol ocpp1.6). Choose OCPP 1.6J (JSON, not SOAP)'
      + ' in the charger\'s settings.'],
    [/already connected/, 'Second connection for one id',
      'Two chargers use the same charge point id, or the charger reconnects while its old connection lives.'],
    [/password|Authorization|Basic/i, 'Password (security profile) problem',
      'The charger\'s AuthorizationKey does not match the gateway\'s, or it sends none. Set the same key on'
      + ' both sides.'],
    [/TLS|certificate|wss:\/\//i, 'TLS problem',
      'The charger and the gateway do not agree on TLS: wss:// against ws://, or a certificate the charger\'s'
      + ' firmware does not trust.'],
    [/busy/, 'Gateway busy', 'The gateway was checking many connections at once; the charger will retry.']
  ];
  for (const [pattern, title, hint] of rules) {
    if (pattern.test(r)) return { title, hint };
  }
  return { title: 'Connection refused', hint: 'See the reason: it says what the gateway did not accept.' };
}

const ERRORS = {
  ConnectorLockFailure: 'the connector lock failed',
  EVCommunicationError: 'the charger cannot talk to the car',
  GroundFailure: 'earth fault (RCD tripped)',
  HighTemperature: 'too hot',
  InternalError: 'internal error of the charger',
  LocalListConflict: 'its local authorisation list conflicts with the gateway\'s answer',
  OtherError: 'an error the charger does not name (see its vendor code)',
  OverCurrentFailure: 'over-current protection tripped',
  OverVoltage: 'supply voltage too high',
  PowerMeterFailure: 'its energy meter failed',
  PowerSwitchFailure: 'its contactor (power switch) failed',
  ReaderFailure: 'its RFID reader failed',
  ResetFailure: 'a reset failed',
  UnderVoltage: 'supply voltage too low',
  WeakSignal: 'weak wireless signal'
};

/** A connector's error code in words; null for NoError or none. */
export function connectorError(code) {
  if (!code || code === 'NoError') return null;
  return ERRORS[code] || code;
}

const CALL_FAILURES = {
  NOT_CONNECTED: 'The charger is not connected now.',
  TIMEOUT: 'The charger did not answer in time.',
  CALL_ERROR: 'The charger answered with an error.',
  INVALID_CONFIRMATION: 'The charger answered with a message that breaks OCPP 1.6.',
  CONNECTION_LOST: 'The connection dropped before the charger answered.',
  QUEUE_FULL: 'Too many calls are waiting for this charger; try again shortly.',
  SHUTDOWN: 'The gateway is stopping.'
};

/** A failed call (ApiError) in words. */
export function callFailure(error) {
  const reason = error.body && error.body.reason;
  const words = CALL_FAILURES[reason];
  if (error.status === 403) return 'Refused: ' + error.message;
  return words ? words + ' (' + error.message + ')' : error.message;
}

const STATUSES = {
  RemoteStartTransaction: { Rejected: 'The charger refused to start (connector busy, unavailable, or no car).' },
  RemoteStopTransaction: { Rejected: 'The charger refused to stop this transaction (it may not run there).' },
  UnlockConnector: {
    UnlockFailed: 'The charger tried and could not unlock the connector.',
    NotSupported: 'The charger has no connector lock it can release remotely.'
  },
  Reset: { Rejected: 'The charger refused the reset.' },
  ChangeAvailability: {
    Scheduled: 'Scheduled: the charger changes availability when the running transaction ends.',
    Rejected: 'The charger refused the change of availability.'
  },
  ChangeConfiguration: {
    Rejected: 'Rejected: the charger refused this value (out of range, wrong format, or a read-only key).',
    RebootRequired: 'Accepted, but it takes effect only after the charger restarts.',
    NotSupported: 'Not supported: the charger does not know this key (check its spelling and case).'
  },
  SendLocalList: {
    Failed: 'Failed: the charger could not store the list (its list storage may be corrupted or full;'
      + ' compare LocalAuthListMaxLength).',
    VersionMismatch: 'Version mismatch: the charger\'s list is not the version the gateway expects.',
    NotSupported: 'The charger has no local authorisation list.'
  },
  ClearCache: { Rejected: 'The charger refused to clear its authorisation cache.' }
};

/** An action's answer in words: {ok, text}. */
export function answer(action, confirmation) {
  const status = confirmation && confirmation.status;
  if (status === undefined) return { ok: true, text: 'Answered.' };
  const words = (STATUSES[action] || {})[status];
  const ok = status === 'Accepted' || status === 'Unlocked' || status === 'Scheduled' || status === 'RebootRequired';
  return { ok, text: words || status };
}

/**
 * The charger's local list version (GetLocalListVersion) against the gateway's list: null when they agree,
 * else what is wrong.
 */
export function localList(chargerVersion, gatewayVersion) {
  if (chargerVersion === -1) return 'The charger reports no local authorisation list (not supported or disabled).';
  if (chargerVersion === gatewayVersion) return null;
  if (chargerVersion === 0) {
    return 'The charger\'s local list is empty while the gateway\'s is version ' + gatewayVersion
      + ': it was never pushed, or the charger lost it. Push the list.';
  }
  return 'The charger holds local list version ' + chargerVersion + ', the gateway version ' + gatewayVersion
    + ': the charger\'s list is out of date or corrupted. Push the full list.';
}
