// Stored items, read and written below the plugins: through the original plugin's own AWS
// SDK client (the reference), and through our plugin's loadData with a stand-in for the
// two Jovo methods it calls.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/** The raw attribute values of a user's item, as the original plugin's SDK client reads them. */
export async function rawItem(originalPlugin, userId) {
  const { table } = originalPlugin.config;
  const { Item } = await originalPlugin.client.send(
    new GetItemCommand({ TableName: table.name, Key: { [table.primaryKeyColumn]: { S: userId } }, ConsistentRead: true }),
  );
  return Item;
}

/** The item as the original plugin loads it (unmarshalled). */
export async function itemLoadedByOriginal(originalPlugin, userId) {
  const item = await originalPlugin.getDbItem(userId);
  return item && unmarshall(item);
}

/** The item as our plugin hands it to jovo.setPersistableData, or undefined. */
export async function itemLoadedByOurs(plugin, userId) {
  const jovo = {
    $user: { isNew: true },
    setPersistableData(item) {
      this.loaded = item;
    },
  };
  await plugin.loadData(userId, jovo);
  return jovo.loaded;
}

/** Saves `userData` as $user.data through our plugin's saveData, with only user storage. */
export function saveUserDataWithOurs(plugin, userId, userData) {
  const jovo = { getPersistableData: () => ({ user: { data: userData } }) };
  return plugin.saveData(userId, jovo);
}
