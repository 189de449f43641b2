import QtQuick
import QtTest
import HealthTech

// SlotWeek: a day per column (a row when narrow), a button per free time that reports the
// slot's index, "show more" past twelve, and a day without times says so.
Item {
    id: root
    width: 900
    height: 600

    function days(n) {
        var slots = []
        for (var i = 0; i < n; ++i)
            slots.push({ index: 100 + i, time: (9 + Math.floor(i / 4)) + ":" + ["00", "15", "30", "45"][i % 4], video: i === 1, label: "Mon 7 Dec, slot " + i })
        return [{ label: "Mon 7 Dec", slots: slots }, { label: "Tue 8 Dec", slots: [] }]
    }

    Component {
        id: weekComponent
        SlotWeek { width: 900 }
    }

    TestCase {
        name: "SlotWeek"
        when: windowShown

        function find(item, name, out) {
            out = out || []
            for (var i = 0; i < item.children.length; ++i) {
                var c = item.children[i]
                if (c.objectName === name && c.visible) out.push(c)
                find(c, name, out)
            }
            return out
        }

        function test_days_and_picking() {
            var w = createTemporaryObject(weekComponent, root, { days: root.days(3), noneText: "No free times", videoText: "video" })
            verify(w)
            compare(find(w, "dayLabel").length, 2)
            var slots = find(w, "slot")
            compare(slots.length, 3)
            compare(slots[1].text, "9:15 · video")
            compare(slots[1].Accessible.name, "Mon 7 Dec, slot 1, video")
            var spy = createTemporaryObject(signalSpy, root, { target: w, signalName: "picked" })
            mouseClick(slots[2])
            compare(spy.count, 1)
            compare(spy.signalArguments[0][0], 102)
            verify(!w.narrow)
        }

        function test_more_and_narrow() {
            var w = createTemporaryObject(weekComponent, root, { days: root.days(20), width: 380 })
            verify(w.narrow)
            compare(find(w, "slot").length, 12)
            var more = find(w, "more")
            compare(more.length, 1)
            compare(more[0].text, "Show 8 more")
            mouseClick(more[0])
            compare(find(w, "slot").length, 20)
            compare(find(w, "more").length, 0)
        }
    }

    Component {
        id: signalSpy
        SignalSpy {}
    }
}
