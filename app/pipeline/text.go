package pipeline

// MsgControlChars refuses text with invisible control characters.
const MsgControlChars = "Уберите невидимые управляющие символы (например, смену направления текста)"

// CheckText is "" for text fit to store, otherwise the message for its field:
// control characters (NUL and the rest of C0/C1, except tab and line breaks)
// and the bidirectional embeddings, overrides, isolates and marks (U+202E makes
// «Иванов» display as something else) are refused in every text field.
func CheckText(s string) string {
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			return MsgControlChars
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			return MsgControlChars
		case r == 0xfffd:
			return MsgControlChars // invalid UTF-8 (or the replacement character itself)
		}
	}
	return ""
}
