#include "RtcpPacketView.hpp"

namespace mediaplane {

RtcpPacketKind RtcpPacketView::GetKind() const {
	switch (GetPacketType()) {
	case rtcp::kTypeSenderReport:
		return RtcpPacketKind::SenderReport;
	case rtcp::kTypeReceiverReport:
		return RtcpPacketKind::ReceiverReport;
	case rtcp::kTypeSourceDescription:
		return RtcpPacketKind::SourceDescription;
	case rtcp::kTypeGoodbye:
		return RtcpPacketKind::Goodbye;
	case rtcp::kTypeApplication:
		return RtcpPacketKind::Application;
	case rtcp::kTypeExtendedReport:
		return RtcpPacketKind::ExtendedReport;
	case rtcp::kTypeTransportFeedback:
		switch (GetFormat()) {
		case rtcp::kFormatGenericNack:
			return RtcpPacketKind::GenericNack;
		case rtcp::kFormatTransportCc:
			return RtcpPacketKind::TransportCc;
		default:
			return RtcpPacketKind::OtherTransportFeedback;
		}
	case rtcp::kTypePayloadFeedback:
		switch (GetFormat()) {
		case rtcp::kFormatPictureLossIndication:
			return RtcpPacketKind::PictureLossIndication;
		case rtcp::kFormatFullIntraRequest:
			return RtcpPacketKind::FullIntraRequest;
		case rtcp::kFormatApplicationFeedback: {
			// REMB is application layer feedback whose FCI starts with the ASCII
			// identifier "REMB" (draft-alvestrand-rmcat-remb-03 §2.2).
			const uint8_t* fci = GetBody() + rtcp::kFeedbackHeaderSize;
			if (bodySize_ >= rtcp::kFeedbackHeaderSize + 4 && fci[0] == 'R' && fci[1] == 'E' && fci[2] == 'M' &&
			    fci[3] == 'B') {
				return RtcpPacketKind::ReceiverEstimatedMaxBitrate;
			}
			return RtcpPacketKind::OtherPayloadFeedback;
		}
		default:
			return RtcpPacketKind::OtherPayloadFeedback;
		}
	default:
		return RtcpPacketKind::Unknown;
	}
}

} // namespace mediaplane
