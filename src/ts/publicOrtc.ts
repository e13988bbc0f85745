/**
 * `mediaplane.ortc`: the capability-negotiation functions mediasoup 3.19.15+ makes
 * public (`mediasoup.ortc`, `mediasoup/ortc`), under mediasoup's names. They are the
 * functions the library itself uses (ortc.ts); this file only gives them their public
 * names and signatures.
 */
import * as ortc from './ortc';
import type { MediaKind, RouterRtpCapabilities, RouterRtpCodecCapability, RtpCapabilities, RtpParameters } from './RtpParameters';
import type { SctpStreamParameters } from './SctpParameters';

/** How a producer's codecs and encodings map onto the router's (mediasoup 3.27's name). */
export type RtpCodecsEncodingsMapping = ortc.RtpMapping;

/** Validates RtpCapabilities and fills their defaults in place; throws TypeError. */
export function validateAndNormalizeRtpCapabilities(caps: RtpCapabilities | RouterRtpCapabilities): void {
	// A router's codecs may lack preferredPayloadType: the validator reports it.
	ortc.validateRtpCapabilities(caps as RtpCapabilities);
}

/** Validates RtpParameters and fills their defaults in place; throws TypeError. */
export function validateAndNormalizeRtpParameters(params: RtpParameters): void {
	ortc.validateRtpParameters(params);
}

/** Validates SctpStreamParameters and fills their defaults in place; throws TypeError. */
export function validateAndNormalizeSctpStreamParameters(params: SctpStreamParameters): void {
	ortc.validateSctpStreamParameters(params);
}

/** A router's RtpCapabilities for the given media codecs; throws UnsupportedError. */
export function generateRouterRtpCapabilities(mediaCodecs: RouterRtpCodecCapability[] = []): RtpCapabilities {
	return ortc.generateRouterRtpCapabilities(mediaCodecs);
}

export function getProducerRtpParametersMapping(params: RtpParameters, caps: RtpCapabilities): RtpCodecsEncodingsMapping {
	return ortc.getProducerRtpParametersMapping(params, caps);
}

export function getConsumableRtpParameters(
	kind: string,
	params: RtpParameters,
	caps: RtpCapabilities,
	rtpMapping: RtpCodecsEncodingsMapping
): RtpParameters {
	return ortc.getConsumableRtpParameters(kind as MediaKind, params, caps, rtpMapping);
}

export function canConsume(consumableParams: RtpParameters, caps: RtpCapabilities): boolean {
	return ortc.canConsume(consumableParams, caps);
}

export function getConsumerRtpParameters(options: {
	consumableRtpParameters: RtpParameters;
	remoteRtpCapabilities: RtpCapabilities;
	pipe: boolean;
	enableRtx: boolean;
}): RtpParameters {
	return ortc.getConsumerRtpParameters(options);
}

export function getPipeConsumerRtpParameters(options: {
	consumableRtpParameters: RtpParameters;
	enableRtx: boolean;
}): RtpParameters {
	return ortc.getPipeConsumerRtpParameters(options);
}
