import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ColumnLayout {
    spacing: Theme.space * 1.5
    Label {
        textFormat: Text.PlainText
        text: i18n.t("patient:search.title")
        font.pixelSize: Theme.textXl
        font.bold: true
        color: Theme.ink
        Accessible.role: Accessible.Heading
    }
    Card {
        spacing: Theme.space
        Accessible.name: i18n.t("patient:search.formLabel")
        GridLayout {
            Layout.fillWidth: true
            columns: width < 600 ? 1 : 3
            columnSpacing: Theme.space
            TextField { id: q; text: app.lastQuery; Layout.fillWidth: true; placeholderText: i18n.t("patient:search.q"); Accessible.name: placeholderText; onAccepted: go.clicked() }
            TextField { id: specialty; Layout.fillWidth: true; placeholderText: i18n.t("patient:search.specialty"); Accessible.name: placeholderText; onAccepted: go.clicked() }
            TextField { id: city; Layout.fillWidth: true; placeholderText: i18n.t("patient:search.city"); Accessible.name: placeholderText; onAccepted: go.clicked() }
            TextField { id: language; Layout.fillWidth: true; placeholderText: i18n.t("patient:search.languagePlaceholder"); Accessible.name: i18n.t("patient:search.language"); onAccepted: go.clicked() }
            ComboBox {
                id: mode
                Layout.fillWidth: true
                textRole: "text"
                valueRole: "value"
                Accessible.name: i18n.t("patient:search.mode")
                model: [
                    { text: i18n.t("patient:search.mode") + ": " + i18n.t("patient:search.modeAny"), value: "" },
                    { text: i18n.t("patient:search.modeInPerson"), value: "in_person" },
                    { text: i18n.t("patient:search.modeVideo"), value: "video" }
                ]
            }
            TextField {
                id: date
                Layout.fillWidth: true
                placeholderText: i18n.t("patient:search.freeOn") + " (YYYY-MM-DD)"
                Accessible.name: i18n.t("patient:search.freeOn")
                validator: RegularExpressionValidator { regularExpression: /^$|^\d{4}-\d{2}-\d{2}$/ }
                onAccepted: go.clicked()
            }
        }
        PrimaryButton {
            id: go
            text: i18n.t("patient:search.submit")
            onClicked: app.search(q.text, specialty.text, city.text, language.text, mode.currentValue, date.text)
        }
    }
    Label {
        textFormat: Text.PlainText
        text: app.busy > 0 ? i18n.t("patient:search.searching")
                           : app.practitioners.length === 0 ? i18n.t("patient:search.noMatch")
                           : i18n.t("patient:search.found", {count: app.practitioners.length})
        color: Theme.muted
        Accessible.role: Accessible.StaticText
    }
    Repeater {
        model: app.practitioners
        delegate: Card {
            required property var modelData
            objectName: "practitionerCard"
            Accessible.role: Accessible.Button
            Accessible.name: modelData.name + ", " + modelData.specialties
            clickable: true
            onClicked: app.openPractitioner(modelData.id)
            RowLayout {
                spacing: Theme.space * 1.5
                Rectangle {
                    width: 52; height: 52; radius: 26
                    color: Theme.avatar
                    Label { textFormat: Text.PlainText; anchors.centerIn: parent; text: modelData.initials; color: Theme.link; font.bold: true; font.pixelSize: Theme.textLg }
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 2
                    Label { textFormat: Text.PlainText; text: modelData.name + (modelData.verified ? "  ✓" : ""); font.bold: true; font.pixelSize: Theme.textLg; color: Theme.link }
                    Label { textFormat: Text.PlainText; text: modelData.specialties + " · " + modelData.experience; color: Theme.ink; wrapMode: Text.Wrap; Layout.fillWidth: true }
                    Label { textFormat: Text.PlainText; text: modelData.places; color: Theme.muted; wrapMode: Text.Wrap; Layout.fillWidth: true }
                    Label { textFormat: Text.PlainText; text: modelData.speaks; color: Theme.muted; wrapMode: Text.Wrap; Layout.fillWidth: true }
                    Label { textFormat: Text.PlainText; text: modelData.firstVisit + " · " + modelData.nextFree; color: Theme.ink; font.bold: true; wrapMode: Text.Wrap; Layout.fillWidth: true }
                }
            }
        }
    }
}
