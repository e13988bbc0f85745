/**
 * H264 'profile-level-id' handling for codec negotiation (RFC 6184 §8.1).
 *
 * profile-level-id is three bytes in hex: profile_idc, profile-iop (the
 * constraint_set0..5 flags of the sequence parameter set, H.264 §7.4.2.1.1)
 * and level_idc. Two H264 codec entries are the same format only when their
 * profiles match; levels can differ and are negotiated (RFC 6184 §8.2.2).
 */

export enum Profile {
	ConstrainedBaseline = 1,
	Baseline = 2,
	Main = 3,
	ConstrainedHigh = 4,
	High = 5,
	PredictiveHigh444 = 6,
}

/**
 * Levels. Each value is level_idc (10 × the level number), except level 1b,
 * which has no level_idc of its own (see parseLevel()).
 */
export enum Level {
	L1_b = 0,
	L1 = 10,
	L1_1 = 11,
	L1_2 = 12,
	L1_3 = 13,
	L2 = 20,
	L2_1 = 21,
	L2_2 = 22,
	L3 = 30,
	L3_1 = 31,
	L3_2 = 32,
	L4 = 40,
	L4_1 = 41,
	L4_2 = 42,
	L5 = 50,
	L5_1 = 51,
	L5_2 = 52,
}

export type ProfileLevelId = {
	profile: Profile;
	level: Level;
};

type FormatParameters = Record<string, unknown> | undefined;

/**
 * WebRTC endpoints treat a missing profile-level-id as Constrained Baseline
 * level 3.1 ('42e01f'). RFC 6184 §8.1 would infer Baseline level 1, but every
 * browser (and mediasoup-client) uses 42e01f, and interoperating with them is
 * what matters here.
 */
export const DEFAULT_PROFILE_LEVEL_ID = '42e01f';

// constraint_setN_flag bits within profile-iop (H.264 §7.3.2.1.1).
const CONSTRAINT_SET3 = 0x10;

/**
 * How profile_idc and the constraint flags combine into a profile (H.264
 * Annex A.2 and RFC 6184 Table 5). `mask` selects the profile-iop bits that
 * matter, `value` is what they must be. The two low bits are reserved zero.
 */
const PROFILE_PATTERNS: ReadonlyArray<{ profileIdc: number; mask: number; value: number; profile: Profile }> = [
	// Baseline profile_idc with constraint_set1: Constrained Baseline (A.2.1.1).
	{ profileIdc: 0x42, mask: 0b01001111, value: 0b01000000, profile: Profile.ConstrainedBaseline },
	// Main with constraint_set0 also conforms to Baseline, so it is Constrained Baseline.
	{ profileIdc: 0x4d, mask: 0b10001111, value: 0b10000000, profile: Profile.ConstrainedBaseline },
	// Extended with constraint_set0 and constraint_set1.
	{ profileIdc: 0x58, mask: 0b11001111, value: 0b11000000, profile: Profile.ConstrainedBaseline },
	{ profileIdc: 0x42, mask: 0b01001111, value: 0b00000000, profile: Profile.Baseline },
	{ profileIdc: 0x58, mask: 0b11001111, value: 0b10000000, profile: Profile.Baseline },
	{ profileIdc: 0x4d, mask: 0b10101111, value: 0b00000000, profile: Profile.Main },
	{ profileIdc: 0x64, mask: 0b11111111, value: 0b00000000, profile: Profile.High },
	// High with constraint_set4 and constraint_set5 (A.2.4.2).
	{ profileIdc: 0x64, mask: 0b11111111, value: 0b00001100, profile: Profile.ConstrainedHigh },
	{ profileIdc: 0xf4, mask: 0b11111111, value: 0b00000000, profile: Profile.PredictiveHigh444 },
];

/** The profile-level-id prefix (profile_idc + profile-iop) we write for each profile. */
const PROFILE_PREFIX: Record<Profile, string> = {
	[Profile.ConstrainedBaseline]: '42e0',
	[Profile.Baseline]: '4200',
	[Profile.Main]: '4d00',
	[Profile.ConstrainedHigh]: '640c',
	[Profile.High]: '6400',
	[Profile.PredictiveHigh444]: 'f400',
};

const VALID_LEVEL_IDCS = new Set<number>(
	Object.values(Level).filter((v): v is number => typeof v === 'number' && v !== Level.L1_b)
);

function isBaselineFamily(profileIdc: number): boolean {
	return profileIdc === 0x42 || profileIdc === 0x4d || profileIdc === 0x58;
}

/**
 * Level 1b is signalled two ways (H.264 A.3.1, A.3.2): in the Baseline, Main
 * and Extended profiles as level_idc 11 with constraint_set3_flag set; in the
 * High profiles as level_idc 9.
 */
function parseLevel(profileIdc: number, profileIop: number, levelIdc: number): Level | undefined {
	if (isBaselineFamily(profileIdc)) {
		if (levelIdc === Level.L1_1 && (profileIop & CONSTRAINT_SET3) !== 0) return Level.L1_b;
	} else if (levelIdc === 9) {
		return Level.L1_b;
	}
	return VALID_LEVEL_IDCS.has(levelIdc) ? (levelIdc as Level) : undefined;
}

function parseProfile(profileIdc: number, profileIop: number): Profile | undefined {
	const pattern = PROFILE_PATTERNS.find(
		(p) => p.profileIdc === profileIdc && (profileIop & p.mask) === p.value
	);
	return pattern?.profile;
}

/**
 * Parses a profile-level-id string ('42e01f'). Returns undefined when it is not
 * six hex digits or names no known profile or level.
 */
export function parseProfileLevelId(str: string): ProfileLevelId | undefined {
	if (typeof str !== 'string' || !/^[0-9a-fA-F]{6}$/.test(str)) return undefined;
	const profileIdc = parseInt(str.slice(0, 2), 16);
	const profileIop = parseInt(str.slice(2, 4), 16);
	const levelIdc = parseInt(str.slice(4, 6), 16);
	const profile = parseProfile(profileIdc, profileIop);
	if (profile === undefined) return undefined;
	const level = parseLevel(profileIdc, profileIop, levelIdc);
	if (level === undefined) return undefined;
	return { profile, level };
}

/**
 * Writes a profile-level-id string. Level 1b needs constraint_set3 in the
 * Baseline family, and level_idc 9 in the High profiles (see parseLevel()).
 */
export function profileLevelIdToString(profileLevelId: ProfileLevelId): string | undefined {
	const { profile, level } = profileLevelId;
	if (level === Level.L1_b) {
		switch (profile) {
			case Profile.ConstrainedBaseline:
				return '42f00b';
			case Profile.Baseline:
				return '42100b';
			case Profile.Main:
				return '4d100b';
			default:
				return `${PROFILE_PREFIX[profile]}09`;
		}
	}
	const prefix = PROFILE_PREFIX[profile];
	if (prefix === undefined || !VALID_LEVEL_IDCS.has(level)) return undefined;
	return prefix + level.toString(16).padStart(2, '0');
}

/**
 * Profile and level from codec format parameters: the default when there is no
 * profile-level-id, undefined when the one given is invalid.
 */
export function parseSdpProfileLevelId(params: FormatParameters = {}): ProfileLevelId | undefined {
	const value = params?.['profile-level-id'];
	if (value === undefined) return parseProfileLevelId(DEFAULT_PROFILE_LEVEL_ID);
	return parseProfileLevelId(String(value));
}

/**
 * Whether two sets of H264 format parameters have the same profile (both
 * parseable). Levels are not compared: they are negotiated.
 */
export function isSameProfile(params1: FormatParameters = {}, params2: FormatParameters = {}): boolean {
	const a = parseSdpProfileLevelId(params1);
	const b = parseSdpProfileLevelId(params2);
	return a !== undefined && b !== undefined && a.profile === b.profile;
}

/** 'level-asymmetry-allowed' (RFC 6184 §8.1) is a flag written as 1. */
export function isLevelAsymmetryAllowed(params: FormatParameters = {}): boolean {
	const value = params?.['level-asymmetry-allowed'];
	return value === 1 || value === '1';
}

/**
 * Level ordering. Level 1b sits between level 1 and level 1.1, although its
 * enum value is the smallest.
 */
export function isLessLevel(a: Level, b: Level): boolean {
	if (a === Level.L1_b) return b !== Level.L1 && b !== Level.L1_b;
	if (b === Level.L1_b) return a === Level.L1;
	return a < b;
}

export function minLevel(a: Level, b: Level): Level {
	return isLessLevel(a, b) ? a : b;
}

/**
 * The profile-level-id to put in an answer (RFC 6184 §8.2.2).
 *
 * The profile must be the same on both sides (else TypeError). Without
 * level-asymmetry-allowed on both sides, the answer level is the lower of the
 * two levels, because both directions must then use one level. With it on both
 * sides, each side announces the level it can receive: the local one.
 *
 * Returns undefined when neither side gives a profile-level-id (both use the
 * default, so the answer need not carry one either).
 */
export function generateProfileLevelIdStringForAnswer(
	localParams: FormatParameters = {},
	remoteParams: FormatParameters = {}
): string | undefined {
	if (localParams?.['profile-level-id'] === undefined && remoteParams?.['profile-level-id'] === undefined) {
		return undefined;
	}
	const local = parseSdpProfileLevelId(localParams);
	const remote = parseSdpProfileLevelId(remoteParams);
	if (!local) throw new TypeError('invalid local H264 profile-level-id');
	if (!remote) throw new TypeError('invalid remote H264 profile-level-id');
	if (local.profile !== remote.profile) throw new TypeError('H264 profile mismatch');

	const asymmetry = isLevelAsymmetryAllowed(localParams) && isLevelAsymmetryAllowed(remoteParams);
	const level = asymmetry ? local.level : minLevel(local.level, remote.level);
	return profileLevelIdToString({ profile: local.profile, level });
}
