package web

import (
	"sort"
	"strconv"
	"time"
)

// Zone is one office time zone offered in «Настройки».
type Zone struct {
	Name  string // IANA name, stored in the settings
	Label string // «Москва (UTC+3)», «Europe/Minsk (UTC+3)»
}

// russianZones are offered first, west to east, named by their city.
var russianZones = []struct{ Name, City string }{
	{"Europe/Kaliningrad", "Калининград"},
	{"Europe/Moscow", "Москва"},
	{"Europe/Samara", "Самара"},
	{"Asia/Yekaterinburg", "Екатеринбург"},
	{"Asia/Omsk", "Омск"},
	{"Asia/Krasnoyarsk", "Красноярск"},
	{"Asia/Irkutsk", "Иркутск"},
	{"Asia/Yakutsk", "Якутск"},
	{"Asia/Vladivostok", "Владивосток"},
	{"Asia/Magadan", "Магадан"},
	{"Asia/Kamchatka", "Камчатка"},
}

// otherZones follow, by UTC offset: the rest of Russia's zones, its neighbours
// and the world's main zones.
var otherZones = []string{
	"UTC",
	"Europe/Astrakhan", "Europe/Kirov", "Europe/Saratov", "Europe/Ulyanovsk", "Europe/Volgograd",
	"Asia/Anadyr", "Asia/Barnaul", "Asia/Chita", "Asia/Khandyga", "Asia/Novokuznetsk", "Asia/Novosibirsk",
	"Asia/Sakhalin", "Asia/Srednekolymsk", "Asia/Tomsk", "Asia/Ust-Nera",
	"Europe/Minsk", "Europe/Kyiv", "Europe/Chisinau", "Europe/Riga", "Europe/Vilnius", "Europe/Tallinn",
	"Europe/Helsinki", "Europe/Istanbul", "Europe/Warsaw", "Europe/Berlin", "Europe/Prague", "Europe/Vienna",
	"Europe/Rome", "Europe/Madrid", "Europe/Paris", "Europe/Amsterdam", "Europe/Belgrade", "Europe/Sofia",
	"Europe/Bucharest", "Europe/Athens", "Europe/London", "Europe/Lisbon", "Atlantic/Reykjavik",
	"Asia/Tbilisi", "Asia/Yerevan", "Asia/Baku", "Asia/Almaty", "Asia/Qostanay", "Asia/Aqtobe", "Asia/Aqtau",
	"Asia/Oral", "Asia/Atyrau", "Asia/Tashkent", "Asia/Samarkand", "Asia/Bishkek", "Asia/Dushanbe",
	"Asia/Ashgabat", "Asia/Ulaanbaatar", "Asia/Dubai", "Asia/Tehran", "Asia/Jerusalem", "Asia/Riyadh",
	"Asia/Kolkata", "Asia/Bangkok", "Asia/Ho_Chi_Minh", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore",
	"Asia/Seoul", "Asia/Tokyo", "Australia/Perth", "Australia/Sydney", "Pacific/Auckland",
	"Africa/Cairo", "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi",
	"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Toronto",
	"America/Mexico_City", "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
}

// utcOffset shows a zone's offset at t: «UTC+3», «UTC+5:30», «UTC−3», «UTC».
func utcOffset(loc *time.Location, t time.Time) string {
	_, off := t.In(loc).Zone()
	if off == 0 {
		return "UTC"
	}
	sign := "+"
	if off < 0 {
		sign, off = "−", -off
	}
	s := "UTC" + sign + strconv.Itoa(off/3600)
	if m := off % 3600 / 60; m != 0 {
		s += ":" + twoDigit(m)
	}
	return s
}

func twoDigit(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// officeZones lists the zones «Настройки» offers at time t: Russia's, west to
// east, then the others by offset and name. current (the saved zone, which an
// older version or --tz may have set to any zone) is kept in the list.
func officeZones(t time.Time, current string) (russian, other []Zone) {
	seen := map[string]bool{}
	for _, z := range russianZones {
		if loc, err := time.LoadLocation(z.Name); err == nil {
			russian = append(russian, Zone{z.Name, z.City + " (" + utcOffset(loc, t) + ")"})
			seen[z.Name] = true
		}
	}
	type withOff struct {
		Zone
		off int
	}
	var rest []withOff
	names := otherZones
	if current != "" && !seen[current] {
		names = append(append([]string{}, otherZones...), current)
	}
	for _, n := range names {
		if seen[n] {
			continue
		}
		loc, err := time.LoadLocation(n)
		if err != nil || !validZoneName(n) {
			continue
		}
		seen[n] = true
		_, off := t.In(loc).Zone()
		label := n + " (" + utcOffset(loc, t) + ")"
		if n == "UTC" {
			label = "UTC — всемирное время"
		}
		rest = append(rest, withOff{Zone{n, label}, off})
	}
	sort.SliceStable(rest, func(i, j int) bool {
		if rest[i].off != rest[j].off {
			return rest[i].off < rest[j].off
		}
		return rest[i].Name < rest[j].Name
	})
	for _, z := range rest {
		other = append(other, z.Zone)
	}
	return russian, other
}

// validZoneName refuses names LoadLocation accepts that are no office's zone ("Local", "").
func validZoneName(n string) bool {
	if n == "UTC" {
		return true
	}
	for i := 1; i < len(n)-1; i++ {
		if n[i] == '/' {
			return true
		}
	}
	return false
}

// zoneOffered tells whether name is one of the zones the settings page offers.
func zoneOffered(t time.Time, current, name string) bool {
	ru, other := officeZones(t, current)
	for _, z := range append(ru, other...) {
		if z.Name == name {
			return true
		}
	}
	return false
}
