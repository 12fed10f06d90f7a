import { openDatabase, type Database } from "../db/client.server";
import { createAuth, type Auth } from "./auth/auth.server";
import type { Config } from "./config.server";
import type { Logger } from "./logger.server";
import { createTodoService, type TodoService } from "./todos/todos.server";

/**
 * Everything with state, created once per process by `server.ts` (or by a test)
 * and handed to loaders and actions through the load context. Route modules
 * never import a database client or an auth instance of their own.
 */
export interface Services {
  config: Config;
  logger: Logger;
  database: Database;
  auth: Auth;
  todos: TodoService;
  close(): Promise<void>;
}

export async function createServices(config: Config, logger: Logger): Promise<Services> {
  const database = await openDatabase(config.database);
  try {
    await database.migrate();
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    config,
    logger,
    database,
    auth: createAuth({ db: database.db, config, logger }),
    todos: createTodoService(database.db),
    close: () => database.close(),
  };
}
