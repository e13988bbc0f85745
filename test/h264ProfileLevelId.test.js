'use strict';

const t = require('tap');
const h264 = require('../lib/h264ProfileLevelId');

const { Profile, Level } = h264;

t.test('parseProfileLevelId: profiles (RFC 6184 Table 5)', (t) => {
	const cases = [
		['42e01f', Profile.ConstrainedBaseline, Level.L3_1],
		['42C02A', Profile.ConstrainedBaseline, Level.L4_2],
		['4d801f', Profile.ConstrainedBaseline, Level.L3_1], // Main + constraint_set0
		['58c01f', Profile.ConstrainedBaseline, Level.L3_1], // Extended + set0 + set1
		['42001f', Profile.Baseline, Level.L3_1],
		['42a01f', Profile.Baseline, Level.L3_1],
		['58a01f', Profile.Baseline, Level.L3_1],
		['4d001f', Profile.Main, Level.L3_1],
		['4d0032', Profile.Main, Level.L5],
		['640c1f', Profile.ConstrainedHigh, Level.L3_1],
		['64001f', Profile.High, Level.L3_1],
		['f4001f', Profile.PredictiveHigh444, Level.L3_1],
		['42e00a', Profile.ConstrainedBaseline, Level.L1],
		['42e00b', Profile.ConstrainedBaseline, Level.L1_1],
		['42f00b', Profile.ConstrainedBaseline, Level.L1_b], // constraint_set3 + level_idc 11
		['4d100b', Profile.Main, Level.L1_b],
		['640009', Profile.High, Level.L1_b], // High profiles: level_idc 9
	];
	for (const [str, profile, level] of cases) {
		t.same(h264.parseProfileLevelId(str), { profile, level }, str);
	}
	t.end();
});

t.test('parseProfileLevelId: invalid', (t) => {
	for (const bad of ['', '42e01', '42e01f0', 'zzzzzz', '42e0ff', '42e000', '420009', '6e001f', '64101f', '4d201f', '42e01c', 42]) {
		t.equal(h264.parseProfileLevelId(bad), undefined, String(bad));
	}
	t.end();
});

t.test('profileLevelIdToString', (t) => {
	t.equal(h264.profileLevelIdToString({ profile: Profile.ConstrainedBaseline, level: Level.L3_1 }), '42e01f');
	t.equal(h264.profileLevelIdToString({ profile: Profile.Baseline, level: Level.L1 }), '42000a');
	t.equal(h264.profileLevelIdToString({ profile: Profile.Main, level: Level.L5_2 }), '4d0034');
	t.equal(h264.profileLevelIdToString({ profile: Profile.ConstrainedHigh, level: Level.L4 }), '640c28');
	t.equal(h264.profileLevelIdToString({ profile: Profile.High, level: Level.L4_1 }), '640029');
	t.equal(h264.profileLevelIdToString({ profile: Profile.PredictiveHigh444, level: Level.L3 }), 'f4001e');
	t.equal(h264.profileLevelIdToString({ profile: Profile.ConstrainedBaseline, level: Level.L1_b }), '42f00b');
	t.equal(h264.profileLevelIdToString({ profile: Profile.Baseline, level: Level.L1_b }), '42100b');
	t.equal(h264.profileLevelIdToString({ profile: Profile.Main, level: Level.L1_b }), '4d100b');
	t.equal(h264.profileLevelIdToString({ profile: Profile.High, level: Level.L1_b }), '640009');
	t.equal(h264.profileLevelIdToString({ profile: Profile.Main, level: 99 }), undefined);
	// Round trip.
	for (const str of ['42e01f', '42001f', '4d0032', '640c1f', '64001f', 'f4001f', '42f00b', '4d100b', '640009']) {
		t.equal(h264.profileLevelIdToString(h264.parseProfileLevelId(str)), str, `round trip ${str}`);
	}
	t.end();
});

t.test('parseSdpProfileLevelId and default', (t) => {
	t.equal(h264.DEFAULT_PROFILE_LEVEL_ID, '42e01f');
	t.same(h264.parseSdpProfileLevelId({}), { profile: Profile.ConstrainedBaseline, level: Level.L3_1 });
	t.same(h264.parseSdpProfileLevelId(), { profile: Profile.ConstrainedBaseline, level: Level.L3_1 });
	t.same(h264.parseSdpProfileLevelId({ 'profile-level-id': '4d0032' }), { profile: Profile.Main, level: Level.L5 });
	t.equal(h264.parseSdpProfileLevelId({ 'profile-level-id': 'foobar' }), undefined);
	t.end();
});

t.test('isSameProfile', (t) => {
	const p = (id) => (id === undefined ? {} : { 'profile-level-id': id });
	t.ok(h264.isSameProfile(p('42e01f'), p('42e01f')));
	t.ok(h264.isSameProfile(p('42e01f'), p('42c02a')), 'levels do not matter');
	t.ok(h264.isSameProfile(p('42e01f'), p()), 'absent means 42e01f');
	t.ok(h264.isSameProfile(p(), p()));
	t.ok(h264.isSameProfile(p('42a01f'), p('58a01f')), 'Baseline from two profile_idc');
	t.ok(h264.isSameProfile(p('42e01f'), p('4d801f')), 'Constrained Baseline from Main + constraint_set0');
	t.notOk(h264.isSameProfile(p('42e01f'), p('42001f')), 'Constrained Baseline vs Baseline');
	t.notOk(h264.isSameProfile(p('42e01f'), p('4d001f')), 'Constrained Baseline vs Main');
	t.notOk(h264.isSameProfile(p('640c1f'), p('64001f')), 'Constrained High vs High');
	t.notOk(h264.isSameProfile(p('42e01f'), p('xyz')), 'invalid never matches');
	t.end();
});

t.test('isLessLevel / minLevel (level 1b between 1 and 1.1)', (t) => {
	t.ok(h264.isLessLevel(Level.L1, Level.L1_b));
	t.ok(h264.isLessLevel(Level.L1_b, Level.L1_1));
	t.notOk(h264.isLessLevel(Level.L1_b, Level.L1));
	t.notOk(h264.isLessLevel(Level.L1_1, Level.L1_b));
	t.notOk(h264.isLessLevel(Level.L1_b, Level.L1_b));
	t.ok(h264.isLessLevel(Level.L3, Level.L3_1));
	t.equal(h264.minLevel(Level.L1_b, Level.L2), Level.L1_b);
	t.equal(h264.minLevel(Level.L1, Level.L1_b), Level.L1);
	t.equal(h264.minLevel(Level.L5_1, Level.L3_1), Level.L3_1);
	t.end();
});

t.test('isLevelAsymmetryAllowed', (t) => {
	t.ok(h264.isLevelAsymmetryAllowed({ 'level-asymmetry-allowed': 1 }));
	t.ok(h264.isLevelAsymmetryAllowed({ 'level-asymmetry-allowed': '1' }));
	t.notOk(h264.isLevelAsymmetryAllowed({ 'level-asymmetry-allowed': 0 }));
	t.notOk(h264.isLevelAsymmetryAllowed({}));
	t.notOk(h264.isLevelAsymmetryAllowed());
	t.end();
});

t.test('generateProfileLevelIdStringForAnswer (RFC 6184 §8.2.2)', (t) => {
	const answer = h264.generateProfileLevelIdStringForAnswer;
	t.equal(answer({}, {}), undefined, 'neither side has one');
	t.equal(answer(), undefined);
	t.equal(answer({ 'profile-level-id': '42e01f' }, {}), '42e01f', 'remote uses the default');
	t.equal(answer({ 'profile-level-id': '42e034' }, { 'profile-level-id': '42e01f' }), '42e01f', 'min level');
	t.equal(answer({ 'profile-level-id': '42e01f' }, { 'profile-level-id': '42e034' }), '42e01f', 'min level');
	t.equal(answer({ 'profile-level-id': '42e01f' }, { 'profile-level-id': '42c02a' }), '42e01f',
		'same profile spelled differently: local spelling');
	t.equal(answer(
		{ 'profile-level-id': '42e034', 'level-asymmetry-allowed': 1 },
		{ 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 }
	), '42e034', 'asymmetry on both sides: local level');
	t.equal(answer(
		{ 'profile-level-id': '42e034', 'level-asymmetry-allowed': 1 },
		{ 'profile-level-id': '42e01f' }
	), '42e01f', 'asymmetry on one side only: min level');
	t.equal(answer({ 'profile-level-id': '42f00b' }, { 'profile-level-id': '42e00b' }), '42f00b', '1b < 1.1');
	t.equal(answer({ 'profile-level-id': '42f00b' }, { 'profile-level-id': '42e00a' }), '42e00a', '1 < 1b');
	t.equal(answer({ 'profile-level-id': '640c34' }, { 'profile-level-id': '640c1f' }), '640c1f');
	t.throws(() => answer({ 'profile-level-id': '42e01f' }, { 'profile-level-id': '4d001f' }),
		{ name: 'TypeError', message: /profile mismatch/ });
	t.throws(() => answer({ 'profile-level-id': 'bogus' }, {}), { name: 'TypeError', message: /local/ });
	t.throws(() => answer({}, { 'profile-level-id': 'bogus' }), { name: 'TypeError', message: /remote/ });
	t.end();
});
