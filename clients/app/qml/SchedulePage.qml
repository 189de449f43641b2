import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ColumnLayout {
    spacing: Theme.space * 1.5
    Label {
        textFormat: Text.PlainText
        text: i18n.t("practice:today.title")
        font.pixelSize: Theme.textXl
        font.bold: true
        color: Theme.ink
        Accessible.role: Accessible.Heading
    }
    readonly property var todays: app.schedule.filter(a => a.today)
    readonly property var later: app.schedule.filter(a => !a.today)
    Label {
        textFormat: Text.PlainText
        visible: app.busy === 0 && todays.length === 0
        text: i18n.t("practice:today.noneToday")
        color: Theme.muted
    }
    Repeater { model: todays; delegate: row }
    Label {
        textFormat: Text.PlainText
        text: i18n.t("practice:today.next7")
        font.pixelSize: Theme.textLg
        font.bold: true
        color: Theme.ink
        Accessible.role: Accessible.Heading
    }
    Label { textFormat: Text.PlainText; visible: later.length === 0; text: i18n.t("practice:today.noneLater"); color: Theme.muted }
    Repeater { model: later; delegate: row }

    Component {
        id: row
        Card {
            id: card
            required property var modelData
            objectName: "scheduleCard"
            Accessible.name: modelData.time + ", " + modelData.patient + ", " + modelData.statusLabel
            RowLayout {
                Layout.fillWidth: true
                Label { textFormat: Text.PlainText; text: modelData.today ? modelData.time : modelData.when; font.bold: true; font.pixelSize: Theme.textLg; color: Theme.ink }
                Label { textFormat: Text.PlainText; text: modelData.patient; font.bold: true; color: Theme.ink; Layout.fillWidth: true; wrapMode: Text.Wrap }
                Label { textFormat: Text.PlainText; text: modelData.statusLabel; color: Theme.muted }
            }
            Label { textFormat: Text.PlainText; text: modelData.where + " · " + modelData.fee + (modelData.payment ? " · " + modelData.payment : ""); color: Theme.muted; wrapMode: Text.Wrap; Layout.fillWidth: true }
            RowLayout {
                visible: modelData.actions.length > 0
                Repeater {
                    model: modelData.actions
                    delegate: PrimaryButton {
                        required property var modelData
                        objectName: "action-" + modelData.action
                        text: modelData.label
                        secondary: modelData.action === "no-show"
                        Accessible.name: modelData.label + ": " + card.modelData.patient
                        enabled: app.busy === 0
                        onClicked: app.act(card.modelData.id, modelData.action)
                    }
                }
            }
        }
    }
}
