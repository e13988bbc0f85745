/**
 * Scalability modes as named by W3C webrtc-svc ('L1T3', 'L3T3_KEY', 'S2T1h'):
 * L = spatial layers that depend on each other (SVC), S = independent spatial
 * streams (simulcast-like), T = temporal layers, _KEY = K-SVC (upper spatial
 * layers only depend on lower ones at key frames).
 */
export type ScalabilityMode = {
	spatialLayers: number;
	temporalLayers: number;
	ksvc: boolean;
};

// A prefix match: suffixes such as 'h' or '_SHIFT' do not change the layer counts.
const SCALABILITY_MODE_PATTERN = /^[LS]([1-9][0-9]?)T([1-9][0-9]?)(_KEY)?/;

/**
 * Layer counts of a scalability mode. Anything that is not a mode name
 * (including undefined) means a single layer: { 1, 1, false }.
 */
export function parseScalabilityMode(scalabilityMode?: string): ScalabilityMode {
	const match = typeof scalabilityMode === 'string' ? SCALABILITY_MODE_PATTERN.exec(scalabilityMode) : null;
	if (!match) return { spatialLayers: 1, temporalLayers: 1, ksvc: false };
	return {
		spatialLayers: Number(match[1]),
		temporalLayers: Number(match[2]),
		ksvc: match[3] === '_KEY',
	};
}
